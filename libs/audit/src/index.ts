export { AuditRecordSchema, toAuditRecord } from './audit-record';
export type { AuditRecord } from './audit-record';
export type { AuditSink } from './audit-sink';
export { auditFileName, createJsonlAuditSink } from './jsonl-audit-sink';
export type { JsonlAuditSinkOptions } from './jsonl-audit-sink';
