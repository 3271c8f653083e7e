import type { Redis } from 'ioredis';
import { HealthReportSchema } from '@manga-assist/contracts';
import type { HealthReport } from '@manga-assist/contracts';

export interface ReportStore {
  readonly key: string;
  save(report: HealthReport): Promise<void>;
  /** The stored report, or null when there is none (or it no longer parses). */
  load(): Promise<HealthReport | null>;
}

/**
 * The latest report in Redis, for readers in other apps. It expires a few rounds after it was
 * written, so a checker that stopped leaves no report that looks current.
 */
export function createReportStore({ redis, keyPrefix, ttlMs }: { redis: Redis; keyPrefix: string; ttlMs: number }): ReportStore {
  const key = `${keyPrefix}health:report`;
  return {
    key,
    async save(report) {
      await redis.set(key, JSON.stringify(report), 'PX', ttlMs);
    },
    async load() {
      const text = await redis.get(key);
      if (text === null) return null;
      const parsed = HealthReportSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    },
  };
}
