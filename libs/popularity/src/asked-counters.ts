import type { Redis } from 'ioredis';

/**
 * How often each title was asked about, in hourly buckets (a sorted set per hour, kept 2 days):
 * the post-processor counts, the scheduler blends the last day into trending and top titles.
 */
export interface AskedCounters {
  record(titleIds: readonly string[], at?: Date): Promise<void>;
  /** Counts over the last `hours` hours, highest first. */
  top(limit: number, hours?: number, now?: Date): Promise<{ id: string; count: number }[]>;
}

const HOUR_MS = 3_600_000;

export function createAskedCounters({ redis, keyPrefix = 'ma:' }: { redis: Redis; keyPrefix?: string }): AskedCounters {
  const bucketKey = (hour: number) => `${keyPrefix}asked:${hour}`;
  return {
    async record(titleIds, at = new Date()) {
      if (titleIds.length === 0) return;
      const key = bucketKey(Math.floor(at.getTime() / HOUR_MS));
      const multi = redis.multi();
      for (const id of titleIds) multi.zincrby(key, 1, id);
      await multi.expire(key, 48 * 3600).exec();
    },
    async top(limit, hours = 24, now = new Date()) {
      const current = Math.floor(now.getTime() / HOUR_MS);
      const keys = Array.from({ length: hours }, (_, i) => bucketKey(current - i));
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.zrevrange(key, 0, limit * 4, 'WITHSCORES');
      const totals = new Map<string, number>();
      for (const [error, reply] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        const flat = reply as string[];
        for (let i = 0; i < flat.length; i += 2) totals.set(flat[i]!, (totals.get(flat[i]!) ?? 0) + Number(flat[i + 1]));
      }
      return [...totals.entries()]
        .map(([id, count]) => ({ id, count }))
        .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1))
        .slice(0, limit);
    },
  };
}
