import type { Redis } from 'ioredis';

/**
 * The trending list the scheduler computes (sales blended with what users asked about) and the
 * gateway reads: ranked catalog ids in one Redis key, read at most once a `refreshMs` per process.
 */
export interface TrendingStore {
  write(ids: readonly string[], ttlSeconds: number): Promise<void>;
  /** The latest list, or null when none was computed yet (callers fall back to sales alone). */
  read(): Promise<string[] | null>;
}

export function createTrendingStore({ redis, keyPrefix = 'ma:', refreshMs = 10_000 }: { redis: Redis; keyPrefix?: string; refreshMs?: number }): TrendingStore {
  const key = `${keyPrefix}trending`;
  let cached: { ids: string[] | null; at: number } | undefined;
  return {
    async write(ids, ttlSeconds) {
      await redis.set(key, JSON.stringify(ids), 'EX', ttlSeconds);
      cached = { ids: [...ids], at: Date.now() };
    },
    async read() {
      if (cached && Date.now() - cached.at < refreshMs) return cached.ids;
      const raw = await redis.get(key);
      cached = { ids: raw ? (JSON.parse(raw) as string[]) : null, at: Date.now() };
      return cached.ids;
    },
  };
}
