import { z } from 'zod';

import { SYNTHETIC_RANGES } from './synthetic';

import { DEMOGRAPHICS } from '@manga-assist/contracts';

export { DEMOGRAPHICS } from '@manga-assist/contracts';
export type { Demographic } from '@manga-assist/contracts';

const madbId = z.string().regex(/^C\d+$/, 'a MADB ID such as C87818');
const isoDate = z.iso.date();
const int = (range: { min: number; max: number }) => z.number().int().min(range.min).max(range.max);

/** Invented store fields: never show them as facts about the real work. */
export const SyntheticStoreFieldsSchema = z.strictObject({
  priceJpy: int(SYNTHETIC_RANGES.priceJpy),
  stock: int(SYNTHETIC_RANGES.stock),
  weeklySales: int(SYNTHETIC_RANGES.weeklySales),
  volumes: int(SYNTHETIC_RANGES.volumes),
  nextVolumeDate: isoDate.nullable(),
});

/**
 * One line of data/catalog/catalog.jsonl.gz: one manga work. Everything outside `synthetic` comes
 * from the Media Arts Database (or, for category and language, from the scope of that data set).
 * Strict, because the file and this schema ship together: an unknown key means they drifted apart.
 */
export const CatalogItemSchema = z.strictObject({
  /** The work's first MADB ID (that of its earliest serialization). */
  id: madbId,
  /** Every MADB serialization merged into this work, earliest first; `madbIds[0] === id`. */
  madbIds: z.array(madbId).min(1),
  title: z.string().min(1),
  /** Reading exactly as the source gives it (katakana, sometimes with romaji); null when missing. */
  titleKana: z.string().min(1).nullable(),
  /** `titleKana` without a leading duplicated romaji spelling or alternative readings; the key for reading lookups. */
  titleReading: z.string().min(1).nullable(),
  creator: z.string().min(1).nullable(),
  creatorKana: z.string().min(1).nullable(),
  originalWorkCreator: z.string().min(1).nullable(),
  originalWorkCreatorKana: z.string().min(1).nullable(),
  /** Earliest serialization start among the merged rows. */
  firstPublished: isoDate.nullable(),
  /** Only set where the source states it; null means unknown, not "general". */
  demographic: z.enum(DEMOGRAPHICS).nullable(),
  /** The source has no genres; always null for now. */
  genre: z.string().min(1).nullable(),
  category: z.literal('manga'),
  language: z.literal('ja'),
  madbUri: z.url(),
  synthetic: SyntheticStoreFieldsSchema,
});

export type CatalogItem = z.infer<typeof CatalogItemSchema>;

/** Key order of a catalog line, fixed so the file is byte-for-byte reproducible. */
export const CATALOG_ITEM_KEYS = Object.keys(CatalogItemSchema.shape) as (keyof CatalogItem)[];
export const SYNTHETIC_FIELD_KEYS = Object.keys(SyntheticStoreFieldsSchema.shape) as (keyof CatalogItem['synthetic'])[];
