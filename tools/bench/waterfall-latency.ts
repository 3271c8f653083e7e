// Latencies for the waterfall bench (tools/bench/waterfall.bench.ts): seed 001's "typical p50/p95"
// per segment, drawn from a seeded generator so that a run is reproducible in its draws.
import { mulberry32 } from '@manga-assist/catalog';

/** Seed 001, "Identifying Slow Segments": typical p50 / p95 in ms. */
export const SEED_TABLE = {
  'api-gateway': { p50: 8, p95: 25 },
  'cache-lookup': { p50: 1, p95: 3 },
  'dynamo-session': { p50: 4, p95: 12 },
  'vector-search': { p50: 60, p95: 150 },
  'bedrock-invoke': { p50: 350, p95: 800 },
  'guardrails-check': { p50: 15, p95: 40 },
} as const;
export type SeedSegment = keyof typeof SEED_TABLE;

/**
 * Seed 000's before/after p95 per step (ms; "async": moved off the answer's path). Its "before"
 * waterfall totals ~1,100 ms at p95, the "after" ~760 ms.
 */
export const SEED_BEFORE_AFTER: Record<string, { before: number; after: number | 'async' }> = {
  'api-gateway': { before: 12, after: 8 },
  'cache-lookup': { before: 3, after: 1.5 },
  'dynamo-session': { before: 12, after: 0 },
  'vector-search': { before: 150, after: 65 },
  'bedrock-invoke': { before: 800, after: 680 },
  'guardrails-check': { before: 40, after: 'async' },
  'post-writes': { before: 15, after: 'async' },
  'end-to-end': { before: 1100, after: 760 },
};

/** A new HTTPS connection (DNS + TCP + TLS), seed 001: 30–50 ms. */
export const CONNECT_MS = { min: 30, max: 50 } as const;

/** The catalog's seeded generator (mulberry32): a run's draws repeat for the same seed. */
export const seededRandom = mulberry32;

/** z of the 95th percentile of the standard normal distribution. */
const Z95 = 1.6448536269514722;

/**
 * A log-normal draw with the given median and 95th percentile: latencies are skewed to the right,
 * and two percentiles fix a log-normal's two parameters.
 */
export function drawLatency(random: () => number, { p50, p95 }: { p50: number; p95: number }): number {
  const sigma = Math.log(p95 / p50) / Z95;
  // Box–Muller; 1 - u keeps the logarithm finite.
  const u = 1 - random();
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return p50 * Math.exp(sigma * z);
}

export function drawUniform(random: () => number, { min, max }: { min: number; max: number }): number {
  return min + (max - min) * random();
}

/** Nearest-rank percentile of unsorted values (NaN for none). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
