import { z } from 'zod';

// Jobs that used up their attempts, as the post-processor keeps them and as its control procedures
// list, retry and purge them.

/** Why a job stopped being retried. */
export const DeadLetterReasonSchema = z.enum([
  /** Every attempt failed. */
  'attempts_exhausted',
  /** The job could never succeed (e.g. a payload that breaks its schema), so it was not retried. */
  'unrecoverable',
  /** Refused by a model consumer's loop guard: too far from the edge (lineage.schema.ts). */
  'chain_depth_exceeded',
  /** Refused by a model consumer's loop guard: the output of a model step fed back in. */
  'processed_input',
]);
export type DeadLetterReason = z.infer<typeof DeadLetterReasonSchema>;
/** The dead-letter reasons of a loop guard's refusals. */
export type LoopGuardReason = Extract<DeadLetterReason, 'chain_depth_exceeded' | 'processed_input'>;

/** One failed attempt: the error's first line and its stack as the worker recorded it. */
export const DeadLetterAttemptSchema = z.object({
  attempt: z.number().int().positive(),
  error: z.string(),
  stack: z.string().nullable(),
});
export type DeadLetterAttempt = z.infer<typeof DeadLetterAttemptSchema>;

export const DeadLetterSchema = z.object({
  /** Dead-letter id: `<queue>.<jobId>`, so recording the same failure twice keeps one entry. */
  id: z.string().min(1),
  /** The queue the job came from and goes back to when retried. */
  queue: z.string().min(1),
  jobId: z.string().min(1),
  /** The job's payload exactly as it was enqueued. */
  payload: z.unknown(),
  reason: DeadLetterReasonSchema,
  /** The last error message. */
  error: z.string(),
  /** Oldest first; the last entry is the attempt that gave up. */
  attempts: z.array(DeadLetterAttemptSchema),
  /** Times a worker picked the job up (more than attempts when a worker died mid-job). */
  attemptsStarted: z.number().int().nonnegative(),
  enqueuedAt: z.iso.datetime(),
  failedAt: z.iso.datetime(),
  deadLetteredAt: z.iso.datetime(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

export const DeadLetterCountsSchema = z.object({
  total: z.number().int().nonnegative(),
  /** Per original queue; queues with none are absent. */
  byQueue: z.record(z.string(), z.number().int().nonnegative()),
});
export type DeadLetterCounts = z.infer<typeof DeadLetterCountsSchema>;

export const DeadLetterListInputSchema = z.object({
  /** Only dead letters from this queue. */
  queue: z.string().min(1).optional(),
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().min(1).max(500).default(50),
});
export type DeadLetterListInput = z.infer<typeof DeadLetterListInputSchema>;

export const DeadLetterPageSchema = z.object({
  /** Dead letters matching the filter, of which `items` is one page (oldest first). */
  total: z.number().int().nonnegative(),
  items: z.array(DeadLetterSchema),
});
export type DeadLetterPage = z.infer<typeof DeadLetterPageSchema>;

export const DeadLetterRetryInputSchema = z.object({
  ids: z.array(z.string().min(1)).min(1).max(1000),
});
export type DeadLetterRetryInput = z.infer<typeof DeadLetterRetryInputSchema>;

export const DeadLetterRetryResultSchema = z.object({
  /** Handed back to their queue with their original job id. */
  retried: z.array(z.string()),
  /** No such dead letter (already retried or purged). */
  missing: z.array(z.string()),
  /** Left in place, with the reason (e.g. a payload that no longer matches its schema). */
  rejected: z.array(z.object({ id: z.string(), reason: z.string() })),
});
export type DeadLetterRetryResult = z.infer<typeof DeadLetterRetryResultSchema>;

/** Which dead letters to delete for good: the given ids, every one from a queue, or all. */
export const DeadLetterPurgeInputSchema = z.union([
  z.object({ ids: z.array(z.string().min(1)).min(1).max(1000) }),
  z.object({ queue: z.string().min(1) }),
  z.object({ all: z.literal(true) }),
]);
export type DeadLetterPurgeInput = z.infer<typeof DeadLetterPurgeInputSchema>;

export const DeadLetterPurgeResultSchema = z.object({ purged: z.number().int().nonnegative() });
export type DeadLetterPurgeResult = z.infer<typeof DeadLetterPurgeResultSchema>;
