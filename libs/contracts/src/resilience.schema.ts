import { z } from 'zod';

/** A downstream the gateway guards with a breaker, a bulkhead and a timeout. */
export const DownstreamNameSchema = z.enum(['sonnet', 'haiku', 'vector-search', 'dynamodb', 'redis']);

/** One downstream's breaker and bulkhead, as the ops page shows them. */
export const DownstreamStateSchema = z.object({
  downstream: DownstreamNameSchema,
  breaker: z.enum(['closed', 'open', 'half-open', 'isolated']),
  executing: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  queueLimit: z.number().int().nonnegative(),
  /** Failures inside the breaker's current window. */
  recentFailures: z.number().int().nonnegative(),
});
export type DownstreamStateReport = z.infer<typeof DownstreamStateSchema>;

/** Faults the local model provider injects into one profile's calls (drills and fault tests). */
export const ModelFaultPlanSchema = z.object({
  /** Fail the Nth, 2Nth, … call. */
  failEvery: z.number().int().positive().optional(),
  /** Fail this fraction of calls. */
  failRate: z.number().min(0).max(1).optional(),
  /** Stream this many tokens, then break. */
  breakAfterTokens: z.number().int().nonnegative().optional(),
  code: z.enum(['throttled', 'timeout', 'unavailable', 'interrupted', 'bad_request', 'upstream']).optional(),
});
/** Per profile; an empty object clears every fault. */
export const ModelFaultPlansSchema = z.object({ haiku: ModelFaultPlanSchema.optional(), sonnet: ModelFaultPlanSchema.optional() });
export type ModelFaultPlans = z.infer<typeof ModelFaultPlansSchema>;
