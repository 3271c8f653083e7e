import { z } from 'zod';
import type { AuditJob } from '@manga-assist/contracts';
import { PERSONAL_DATA_KINDS, redactPersonalData } from '@manga-assist/pii';

/** One line of the audit log: what was asked and answered for one request, personal data removed. */
export const AuditRecordSchema = z.object({
  traceId: z.string(),
  requestId: z.string(),
  sessionId: z.string(),
  userId: z.string().optional(),
  model: z.string(),
  question: z.string(),
  answer: z.string(),
  /** How many emails, phone numbers and card numbers were removed from the question and answer. */
  redactions: z.record(z.enum(PERSONAL_DATA_KINDS), z.number().int().nonnegative()),
  /** When the answer was given, and when this record was written. */
  at: z.iso.datetime(),
  recordedAt: z.iso.datetime(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

/**
 * The audit record for a job: question and answer with emails, phone numbers and card numbers
 * redacted (possible matches included: an audit log must not become a store of personal data).
 */
export function toAuditRecord(job: AuditJob, recordedAt: Date = new Date()): AuditRecord {
  const question = redactPersonalData(job.question);
  const answer = redactPersonalData(job.answer);
  const redactions = Object.fromEntries(PERSONAL_DATA_KINDS.map((k) => [k, question.counts[k] + answer.counts[k]])) as AuditRecord['redactions'];
  return {
    traceId: job.traceId,
    requestId: job.requestId,
    sessionId: job.sessionId,
    ...(job.userId === undefined ? {} : { userId: job.userId }),
    model: job.model,
    question: question.text,
    answer: answer.text,
    redactions,
    at: job.at,
    recordedAt: recordedAt.toISOString(),
  };
}
