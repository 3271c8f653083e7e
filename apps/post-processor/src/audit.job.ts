import type { Redis } from 'ioredis';
import { toAuditRecord } from '@manga-assist/audit';
import type { AuditSink } from '@manga-assist/audit';
import type { JobHandler } from '@manga-assist/queue';
import type { Logger } from '@manga-assist/telemetry';

export interface AuditJobDeps {
  sink: AuditSink;
  /** For the "already written" markers. */
  redis: Redis;
  keyPrefix: string;
  log: Pick<Logger, 'warn'>;
}

/**
 * Appends the request's audit record, personal data redacted, and completes once the sink has it
 * on disk. The log is append-only, so a job that runs again must not write again: a marker per
 * trace id, set after the append, is checked first. Only a process dying between the append and
 * the marker can still write a record twice; readers dedupe by `traceId`.
 */
export function createAuditJob({ sink, redis, keyPrefix, log }: AuditJobDeps): JobHandler<'audit'> {
  const markerKey = (traceId: string) => `${keyPrefix}audit:written:${traceId}`;
  return async (job) => {
    if ((await redis.exists(markerKey(job.traceId))) === 1) return { written: false };
    const record = toAuditRecord(job);
    await sink.append(record);
    try {
      await redis.set(markerKey(job.traceId), '1', 'EX', 24 * 3600);
    } catch (error) {
      // The record is written: failing the job now would only write it again.
      log.warn({ traceId: job.traceId, err: (error as Error).message }, 'audit record written but its marker was not');
    }
    return { written: true, redactions: record.redactions };
  };
}
