import { z } from 'zod';
import { EndpointResultSchema, StatusTransitionSchema } from './health.schema';
import { ProfileReportSchema } from './profile.schema';
import { DownstreamStateSchema } from './resilience.schema';
import { SchedulerTaskStatusSchema } from './scheduler.schema';
import { AppStatusEntrySchema } from './service-status.schema';

const count = z.number().nonnegative();

/** Answers since the gateway started, by where they came from (counters: the page shows rates). */
export const AnswerCountsSchema = z.object({
  /** Response-cache hits on the exact normalized question, and on a similar one. */
  exact: count,
  semantic: count,
  /** Response-cache hits on an answer the prefetch scheduler wrote ahead. */
  precomputed: count,
  haiku: count,
  sonnet: count,
  /** Requests that ended in an error frame instead of `done`. */
  errors: count,
});
export type AnswerCounts = z.infer<typeof AnswerCountsSchema>;

export const PoolReportSchema = z.object({
  pool: z.string(),
  inUse: count,
  idle: count,
  queued: count,
  /** Mean checkout wait since start, ms; null before the first checkout. */
  checkoutWaitMs: z.number().nonnegative().nullable(),
});

export const QueueReportSchema = z.object({
  queue: z.string(),
  waiting: count,
  active: count,
  delayed: count,
  failed: count,
  completed: count,
  /** Dead letters that came from this queue. */
  deadLetters: count,
});
export type QueueReport = z.infer<typeof QueueReportSchema>;

/**
 * One frame of GET /v1/ops/stream (Server-Sent Events, `event: snapshot`): everything the ops page
 * shows, gathered by the gateway from its own profiler, policies and metrics, and from the other
 * apps over tRPC. A part that could not be read is null, with the reason in `errors`.
 */
export const OpsSnapshotSchema = z.object({
  at: z.iso.datetime(),
  ready: z.boolean(),
  apps: z.array(AppStatusEntrySchema),
  profile: ProfileReportSchema,
  answers: AnswerCountsSchema,
  downstreams: z.array(DownstreamStateSchema.extend({ transitions: count })),
  pools: z.array(PoolReportSchema),
  queues: z.array(QueueReportSchema).nullable(),
  /** Where the queue UI (bull-board, read-only) answers. */
  queueBoardUrl: z.string(),
  tasks: z.array(SchedulerTaskStatusSchema).nullable(),
  probes: z.array(EndpointResultSchema.extend({ transitions: z.array(StatusTransitionSchema) })).nullable(),
  errors: z.array(z.string()),
});
export type OpsSnapshot = z.infer<typeof OpsSnapshotSchema>;
