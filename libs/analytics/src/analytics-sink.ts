import type { Redis } from 'ioredis';
import type { AnalyticsEvent } from '@manga-assist/contracts';
import type { RecordBatcher } from './record-batcher';

export interface AnalyticsLogger {
  warn(obj: object, msg?: string): void;
}

export interface AnalyticsSinkOptions {
  batcher: RecordBatcher;
  /** For the "already in the stream" markers. */
  redis: Redis;
  keyPrefix: string;
  /** How long an event id is remembered as stored (longer than any retry or redelivery). */
  markerTtlSeconds?: number;
  log?: AnalyticsLogger;
}

export type AnalyticsOutcome = 'stored' | 'already_stored';

export interface AnalyticsSink {
  record(event: AnalyticsEvent): Promise<AnalyticsOutcome>;
}

/**
 * Puts chat events into the analytics stream, partitioned by session (a session's events stay in
 * order on one shard). Kinesis is at-least-once; a marker per event id, written once the record is
 * stored and checked before putting, keeps a retried or redelivered job from storing it again.
 * Only a process dying between the put and the marker can still duplicate an event, so consumers
 * dedupe by `eventId`.
 */
export function createAnalyticsSink({ batcher, redis, keyPrefix, markerTtlSeconds = 24 * 3600, log }: AnalyticsSinkOptions): AnalyticsSink {
  const markerKey = (eventId: string) => `${keyPrefix}analytics:stored:${eventId}`;
  return {
    async record(event) {
      const key = markerKey(event.eventId);
      if ((await redis.exists(key)) === 1) return 'already_stored';
      await batcher.put({
        partitionKey: event.sessionId.length > 0 ? event.sessionId.slice(0, 256) : event.eventId.slice(0, 256),
        data: Buffer.from(JSON.stringify(event)),
      });
      try {
        await redis.set(key, '1', 'EX', markerTtlSeconds);
      } catch (error) {
        // The record is stored: failing the job now would only store it again.
        log?.warn({ eventId: event.eventId, err: (error as Error).message }, 'analytics event stored but its marker was not written');
      }
      return 'stored';
    },
  };
}
