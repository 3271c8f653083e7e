import { z } from 'zod';

/** A segment's p95 against its latency budget: within budget + tolerance, over it, or not budgeted. */
export const SegmentBudgetStateSchema = z.enum(['ok', 'over', 'no-budget']);
export type SegmentBudgetState = z.infer<typeof SegmentBudgetStateSchema>;

const ms = z.number().nonnegative();

/** One segment over the profiler's rolling window; durations in ms. */
export const SegmentProfileSchema = z.object({
  count: z.number().int().nonnegative(),
  p50: ms,
  p95: ms,
  p99: ms,
  max: ms,
  budgetMs: z.number().positive().nullable(),
  state: SegmentBudgetStateSchema,
  /** p95 / budget − 1 (0.35 = 35% over); null without a budget. */
  overBy: z.number().nullable(),
});
export type SegmentProfile = z.infer<typeof SegmentProfileSchema>;

export const SegmentRefSchema = z.object({ segment: z.string().min(1), p95: ms });

/**
 * The request profiler's view of the last window: per-segment percentiles against the latency
 * budgets, keyed by segment (model segments as `fm-total:haiku`), and where the time goes.
 */
export const ProfileReportSchema = z.object({
  generatedAt: z.iso.datetime(),
  windowMs: z.number().int().positive(),
  tolerance: z.number().nonnegative(),
  requests: z.number().int().nonnegative(),
  segments: z.record(z.string(), SegmentProfileSchema),
  bottleneck: z.object({
    /** Slowest segment this service owns (not the model's, not the total). */
    owned: SegmentRefSchema.nullable(),
    /** Slowest segment of all but the total. */
    overall: SegmentRefSchema.nullable(),
  }),
});
export type ProfileReport = z.infer<typeof ProfileReportSchema>;
