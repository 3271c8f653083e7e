// Store fields the Media Arts Database does not have (price, stock, sales, volumes, next volume).
// They are invented, but deterministically: each value is a pure function of the seed, the MADB ID,
// the work's first-publication date and the reference date, so rebuilding the catalog never
// changes them and tests can pin them down.

/** Seed for every synthetic value; changing it reshuffles the whole store. */
export const SYNTHETIC_SEED = 'manga-assist-catalog-v1';

/** "Today" for the synthetic store: upcoming volumes are dated after it. Fixed so builds are reproducible. */
export const CATALOG_REFERENCE_DATE = '2026-11-01';

export const SYNTHETIC_RANGES = {
  priceJpy: { min: 462, max: 1100 },
  stock: { min: 0, max: 200 },
  weeklySales: { min: 0, max: 20_000 },
  volumes: { min: 1, max: 110 },
  /** Upcoming volumes fall 1..60 days after the reference date. */
  nextVolumeWindowDays: 60,
} as const;

export interface SyntheticStoreFields {
  /** Tax-included tankobon price in yen. */
  priceJpy: number;
  stock: number;
  weeklySales: number;
  volumes: number;
  /** YYYY-MM-DD, or null when no next volume is scheduled. */
  nextVolumeDate: string | null;
}

export interface SyntheticInput {
  madbId: string;
  /** YYYY-MM-DD of the first serialization, or null when the source has none. */
  firstPublished: string | null;
}

export interface SyntheticOptions {
  seed?: string;
  referenceDate?: string;
}

/** FNV-1a, 32-bit, over UTF-16 code units: a tiny, well-known string hash to seed the PRNG. */
export function fnv1a32(s: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    hash ^= s.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a 32-bit-state PRNG, good enough for test data and identical on every platform. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A PRNG whose sequence depends only on `key` and `seed`. Values are in [0, 1). */
export function seededRandom(key: string, seed: string = SYNTHETIC_SEED): () => number {
  return mulberry32(fnv1a32(`${seed}:${key}`));
}

// The source covers 1947–2017; undated works are treated as mid-range rather than as new.
const FIRST_SOURCE_YEAR = 1947;
const LAST_SOURCE_YEAR = 2017;
const UNDATED_YEAR = 1985;

const clamp = (n: number, min: number, max: number): number => Math.min(max, Math.max(min, n));

function yearOf(date: string | null): number {
  return date === null ? UNDATED_YEAR : Number(date.slice(0, 4));
}

function addDays(isoDate: string, days: number): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Generates the synthetic store fields of one work. */
export function generateSyntheticFields(input: SyntheticInput, options: SyntheticOptions = {}): SyntheticStoreFields {
  const referenceDate = options.referenceDate ?? CATALOG_REFERENCE_DATE;
  const random = seededRandom(input.madbId, options.seed ?? SYNTHETIC_SEED);
  // Draw every number up front, in a fixed order, so no field's value depends on another field's branch.
  const [priceBand, priceStep, outOfStock, stockLevel, sales, volumeDraw, scheduled, daysAhead] = Array.from(
    { length: 8 },
    random,
  );

  const year = yearOf(input.firstPublished);
  const recency = clamp((year - FIRST_SOURCE_YEAR) / (LAST_SOURCE_YEAR - FIRST_SOURCE_YEAR), 0, 1);
  const age = Math.max(0, Number(referenceDate.slice(0, 4)) - year);

  // Pre-tax prices in 10-yen steps, mostly 460–720 (506–792 with 10% tax), a few cheap or thick volumes.
  const [low, high] = priceBand < 0.1 ? [420, 450] : priceBand < 0.9 ? [460, 720] : [730, 1000];
  const preTax = low + 10 * Math.floor(priceStep * ((high - low) / 10 + 1));
  const priceJpy = Math.floor((preTax * 11) / 10);

  const stock = outOfStock < 0.08 ? 0 : clamp(1 + Math.floor(stockLevel ** 1.3 * SYNTHETIC_RANGES.stock.max), 1, 200);

  // Pareto tail: most titles sell tens a week, well under 1% sell thousands; newer ones a little more.
  const salesScale = 6 + 14 * recency;
  const weeklySales = clamp(
    Math.floor(salesScale * (1 - sales) ** (-1 / 1.2)),
    SYNTHETIC_RANGES.weeklySales.min,
    SYNTHETIC_RANGES.weeklySales.max,
  );

  // Older works have had time for long runs; the power skews every era towards short ones.
  const longestRun = clamp(Math.round(2 + age * 1.6), 3, SYNTHETIC_RANGES.volumes.max);
  const volumes = clamp(1 + Math.floor(longestRun * volumeDraw ** 3), 1, SYNTHETIC_RANGES.volumes.max);

  // About 15% of the catalogue has a next volume coming; recent works far more often than old ones.
  const scheduleChance = 0.04 + 0.31 * recency ** 2;
  const nextVolumeDate =
    scheduled < scheduleChance
      ? addDays(referenceDate, 1 + Math.floor(daysAhead * SYNTHETIC_RANGES.nextVolumeWindowDays))
      : null;

  return { priceJpy, stock, weeklySales, volumes, nextVolumeDate };
}
