export { AuditRecordSchema, toAuditRecord } from './audit-record';
export type { AuditRecord } from './audit-record';
export type { AuditSink } from './audit-sink';
export { auditFileName, createJsonlAuditSink } from './jsonl-audit-sink';
export type { JsonlAuditSinkOptions } from './jsonl-audit-sink';
export { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, createCloudWatchAuditSink } from './cloudwatch-audit-sink';
export type { CloudWatchAuditSinkOptions } from './cloudwatch-audit-sink';
