import { z } from 'zod';
import { ServiceStatusSchema } from './service-status.schema';

export const SchedulerTaskNameSchema = z.enum(['trending', 'new-releases', 'genres', 'top-titles']);

/** One pre-computation task as the scheduler reports it. */
export const SchedulerTaskStatusSchema = z.object({
  name: SchedulerTaskNameSchema,
  schedule: z.string(),
  ttlSeconds: z.number().int().positive(),
  /** Runs on this replica since it started. */
  runs: z.number().int().nonnegative(),
  running: z.boolean(),
  lastStart: z.iso.datetime().nullable(),
  lastDurationMs: z.number().nonnegative().nullable(),
  /** Cache entries written by the last run. */
  lastEntries: z.number().int().nonnegative().nullable(),
  lastError: z.string().nullable(),
  nextRun: z.iso.datetime().nullable(),
});
export type SchedulerTaskStatus = z.infer<typeof SchedulerTaskStatusSchema>;

export const SchedulerStatusSchema = ServiceStatusSchema.extend({ tasks: z.array(SchedulerTaskStatusSchema) });
export type SchedulerStatus = z.infer<typeof SchedulerStatusSchema>;
