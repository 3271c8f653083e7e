import type { AuditRecord } from './audit-record';

/**
 * Where audit records go: JSON lines on local disk (createJsonlAuditSink), or CloudWatch Logs in
 * production (createCloudWatchAuditSink).
 */
export interface AuditSink {
  /** Resolves once the record is durably stored; a rejected append is retried by the job. */
  append(record: AuditRecord): Promise<void>;
  /** Readiness: resolves when records can be stored now. */
  check(): Promise<void>;
  /** Stores what was appended so far, then releases the sink. */
  close(): Promise<void>;
}
