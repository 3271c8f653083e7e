// Turns the Media Arts Database serialization CSV into the store catalog (gzip'd JSON lines).
// Build-time only, so apps never load the CSV parser.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { parse } from 'csv-parse';

import {
  CATALOG_ITEM_KEYS,
  CATALOG_REFERENCE_DATE,
  CatalogItemSchema,
  SYNTHETIC_FIELD_KEYS,
  SYNTHETIC_SEED,
  compactText,
  generateSyntheticFields,
} from '@manga-assist/catalog';
import type { CatalogItem, Demographic } from '@manga-assist/catalog';

export const SERIALIZATIONS_CSV = 'madb_manga_serializations.csv';

const REQUIRED_COLUMNS = [
  'madb_id',
  'title',
  'title_kana',
  'creator',
  'creator_kana',
  'original_work_creator',
  'original_work_creator_kana',
  'date_published',
  'note',
  'likely_non_story',
  'madb_uri',
] as const;

export type MadbRow = Record<(typeof REQUIRED_COLUMNS)[number], string>;

export type ExclusionReason = 'source-non-story-flag' | 'bracketed-title' | 'magazine-furniture';

// Magazine pages that are not stories but which the source does not flag (it only flags titles
// starting with "["). Found by listing the most frequent unflagged titles; matched on the whole title.
const FURNITURE_TITLES = new Set([
  '表紙', // cover
  '表紙のことば',
  '表紙の言葉',
  '表紙のおしゃべり', // notes about the cover
  '目次', // table of contents
  '口絵', // frontispiece
  '扉', // title page
  'グラビア', // photo pages
  '付録', // free gift
  'ピンナップ',
  'イラスト',
  '次号予告', // next-issue preview
  '懸賞', // competition
  '読者コーナー', // readers' page
  'プレゼント当選者発表', // prize winners
]);
// Advertisement slots (自社広告, 他社広告, GARO広告, バンダグ広告, …) and contents pages (…のイラスト目次).
const FURNITURE_SUFFIX = /(広告|目次)$/u;

/** Why a source row is not a work the store could sell, or null when it is one. */
export function exclusionReason(row: Pick<MadbRow, 'title' | 'likely_non_story'>): ExclusionReason | null {
  if (row.likely_non_story.trim() === 'true') return 'source-non-story-flag';
  const title = row.title.normalize('NFKC').trim();
  if (title.startsWith('[')) return 'bracketed-title'; // NFKC turns ［ into [
  const compact = title.replace(/\s+/gu, '');
  if (FURNITURE_TITLES.has(compact) || FURNITURE_SUFFIX.test(compact)) return 'magazine-furniture';
  return null;
}

// Demographic only where the note states an award category that is one (e.g. 小学館漫画賞少年向け部門).
// Magazine names in notes are not used: they name awards of other magazines, guest appearances, moves
// and adverts as often as the work's own magazine, and 1970s "ヤングジャンプ賞" is a Shōnen Jump award.
const DEMOGRAPHIC_RULES: readonly { pattern: RegExp; demographic: Demographic }[] = [
  { pattern: /(小学館|講談社)漫画賞.{0,6}少年(向け)?部門/u, demographic: 'shonen' },
  { pattern: /(小学館|講談社)漫画賞.{0,6}少女(向け)?部門/u, demographic: 'shojo' },
  { pattern: /(小学館|講談社)漫画賞.{0,6}児童(向け)?部門/u, demographic: 'kodomo' },
  { pattern: /小学館漫画賞.{0,6}青年(一般)?(向け)?部門/u, demographic: 'seinen' },
  { pattern: /小学館新人コミック大賞\s*少年コミック/u, demographic: 'shonen' },
  { pattern: /小学館新人コミック大賞\s*少女コミック/u, demographic: 'shojo' },
];

export function demographicFromNote(note: string): Demographic | null {
  const text = note.normalize('NFKC');
  return DEMOGRAPHIC_RULES.find((rule) => rule.pattern.test(text))?.demographic ?? null;
}

const LATIN = /[A-Za-z0-9]/u;
// A leading romaji spelling: Latin letters, digits and the separators found between them.
const LEADING_ROMAJI = /^[A-Za-z][A-Za-z0-9\s'’.:!?&\-_/]*/u;
const NON_LATIN_LETTER = /[^\P{L}A-Za-z]/u;
const KATAKANA = /\p{Script=Katakana}/u;
const ALTERNATIVE_SEPARATOR = /[,，](?!\s)/u;

const latinOf = (s: string): string => s.replace(/[^A-Za-z0-9]/gu, '').toUpperCase();

/** Length of the prefix of `original` whose NFKC form is `normalizedLength` UTF-16 units long. */
function originalPrefixLength(original: string, normalizedLength: number): number {
  let consumed = 0;
  let length = 0;
  for (const ch of original) {
    if (consumed >= normalizedLength) break;
    consumed += ch.normalize('NFKC').length;
    length += ch.length;
  }
  return length;
}

/**
 * The reading of a title, for reading lookups: the source's `title_kana`, except that
 * - alternatives ("ＭＩＬＫボーイ,ミルクボーイ") are reduced to the all-kana one;
 * - for an all-Latin title, a leading repeat of its romaji ("ＳＬＡＭ ＤＵＮＫ スラムダンク") is dropped.
 * Latin that belongs to the reading ("ＦＢＩモノガタリ", "ＴＨＥシャドウ") and readings with no kana
 * at all ("ＯＮＥＰＩＥＣＥ") are kept as they are.
 */
export function titleReadingOf(title: string, titleKana: string): string | null {
  let reading = titleKana.trim();
  if (reading === '') return null;

  if (!/[,，]/u.test(title) && ALTERNATIVE_SEPARATOR.test(reading)) {
    const parts = reading
      .split(ALTERNATIVE_SEPARATOR)
      .map((part) => part.trim())
      .filter((part) => part !== '');
    reading = parts.find((part) => !LATIN.test(part.normalize('NFKC'))) ?? parts[0] ?? reading;
  }

  // Only all-Latin titles: when the title has kana or kanji of its own, Latin in the reading is
  // usually part of it ("M.A ミステリーゾーン"), and title lookups find those titles anyway.
  const normalizedTitle = title.normalize('NFKC');
  if (NON_LATIN_LETTER.test(normalizedTitle)) return reading;
  const kanaRomaji = reading.normalize('NFKC').match(LEADING_ROMAJI)?.[0];
  if (kanaRomaji === undefined || latinOf(kanaRomaji) !== latinOf(normalizedTitle)) return reading;
  const rest = reading.slice(originalPrefixLength(reading, kanaRomaji.length)).trim();
  return KATAKANA.test(rest) ? rest : reading;
}

const orNull = (s: string | undefined): string | null => {
  const trimmed = (s ?? '').trim();
  return trimmed === '' ? null : trimmed;
};

const idNumber = (id: string): number => Number(id.slice(1));

async function readSerializations(file: string): Promise<MadbRow[]> {
  const rows: MadbRow[] = [];
  const parser = createReadStream(file).pipe(parse({ columns: true, bom: true, skip_empty_lines: true }));
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    const missing = REQUIRED_COLUMNS.filter((column) => !(column in record));
    if (missing.length > 0) throw new Error(`${file}: missing columns ${missing.join(', ')}`);
    rows.push(record as MadbRow);
  }
  return rows;
}

/** Rows of one work: same title and creator once normalized (spacing, width, kana). */
function workKey(row: MadbRow): string {
  return `${compactText(row.title)}\u0000${compactText(row.creator)}`;
}

// Earliest first; undated rows last; ties keep file order (the sort is stable).
function byFirstPublished(a: MadbRow, b: MadbRow): number {
  const da = orNull(a.date_published) ?? '9999-99-99';
  const db = orNull(b.date_published) ?? '9999-99-99';
  return da < db ? -1 : da > db ? 1 : 0;
}

function toItem(group: MadbRow[], referenceDate: string, seed: string): CatalogItem {
  const [first] = group;
  const firstOf = (column: keyof MadbRow): string | null =>
    group.map((row) => orNull(row[column])).find((value) => value !== null) ?? null;
  const titleKana = firstOf('title_kana');
  const firstPublished = orNull(first.date_published);
  const demographic = group.map((row) => demographicFromNote(row.note)).find((d) => d !== null) ?? null;
  return {
    id: first.madb_id,
    madbIds: group.map((row) => row.madb_id),
    title: first.title.trim(),
    titleKana,
    titleReading: titleKana === null ? null : titleReadingOf(first.title, titleKana),
    creator: firstOf('creator'),
    creatorKana: firstOf('creator_kana'),
    originalWorkCreator: firstOf('original_work_creator'),
    originalWorkCreatorKana: firstOf('original_work_creator_kana'),
    firstPublished,
    demographic,
    genre: null,
    category: 'manga',
    language: 'ja',
    madbUri: first.madb_uri.trim(),
    synthetic: generateSyntheticFields({ madbId: first.madb_id, firstPublished }, { referenceDate, seed }),
  };
}

const pick = <T extends object>(source: T, keys: readonly (keyof T)[]): T =>
  Object.fromEntries(keys.map((key) => [key, source[key]])) as T;

/** One JSON line with keys in schema order, whatever order the object was built in. */
export function serializeItem(item: CatalogItem): string {
  return JSON.stringify({ ...pick(item, CATALOG_ITEM_KEYS), synthetic: pick(item.synthetic, SYNTHETIC_FIELD_KEYS) });
}

export interface BuildCatalogOptions {
  /** Folder holding madb_manga_serializations.csv. */
  inputDir: string;
  /** Where to write the gzip'd JSON lines. */
  outputFile: string;
  referenceDate?: string;
  seed?: string;
}

export interface BuildCatalogReport {
  sourceRows: number;
  excluded: Record<ExclusionReason, number>;
  /** Story rows folded into an earlier row of the same work. */
  mergedDuplicates: number;
  items: number;
  withDemographic: number;
  withFirstPublished: number;
  withOriginalWorkCreator: number;
  withNextVolume: number;
  outOfStock: number;
  titleReadingsCleaned: number;
  referenceDate: string;
  seed: string;
  bytes: number;
  sha256: string;
}

/**
 * Builds the catalog file. Deterministic: the same CSV, seed and reference date give the same bytes
 * (fixed key order, items sorted by ID, fixed gzip level, and Node's gzip header carries no mtime).
 */
export async function buildCatalog(options: BuildCatalogOptions): Promise<BuildCatalogReport> {
  const referenceDate = options.referenceDate ?? CATALOG_REFERENCE_DATE;
  const seed = options.seed ?? SYNTHETIC_SEED;
  const rows = await readSerializations(path.join(options.inputDir, SERIALIZATIONS_CSV));

  const excluded: Record<ExclusionReason, number> = {
    'source-non-story-flag': 0,
    'bracketed-title': 0,
    'magazine-furniture': 0,
  };
  const groups = new Map<string, MadbRow[]>();
  for (const row of [...rows].sort(byFirstPublished)) {
    const reason = exclusionReason(row);
    if (reason !== null) {
      excluded[reason] += 1;
      continue;
    }
    const key = workKey(row);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }

  const items = [...groups.values()]
    .map((group) => CatalogItemSchema.parse(toItem(group, referenceDate, seed)))
    .sort((a, b) => idNumber(a.id) - idNumber(b.id));
  const text = items.map((item) => `${serializeItem(item)}\n`).join('');
  const gz = gzipSync(Buffer.from(text, 'utf8'), { level: 9 });

  await mkdir(path.dirname(options.outputFile), { recursive: true });
  // Write then rename, so a running service never reads a half-written catalog.
  const temporary = `${options.outputFile}.${process.pid}.tmp`;
  await writeFile(temporary, gz);
  await rename(temporary, options.outputFile);

  const storyRows = rows.length - Object.values(excluded).reduce((a, b) => a + b, 0);
  return {
    sourceRows: rows.length,
    excluded,
    mergedDuplicates: storyRows - items.length,
    items: items.length,
    withDemographic: items.filter((item) => item.demographic !== null).length,
    withFirstPublished: items.filter((item) => item.firstPublished !== null).length,
    withOriginalWorkCreator: items.filter((item) => item.originalWorkCreator !== null).length,
    withNextVolume: items.filter((item) => item.synthetic.nextVolumeDate !== null).length,
    outOfStock: items.filter((item) => item.synthetic.stock === 0).length,
    titleReadingsCleaned: items.filter((item) => item.titleReading !== item.titleKana).length,
    referenceDate,
    seed,
    bytes: gz.length,
    sha256: createHash('sha256').update(gz).digest('hex'),
  };
}
