import type { z } from 'zod';
import {
  AnalyticsEventSchema,
  AuditJobSchema,
  CacheWriteJobSchema,
  GuardrailCheckJobSchema,
  SessionUpdateJobSchema,
} from '@manga-assist/contracts';

/**
 * Queue names. They live in Redis next to their jobs: NEVER rename one, or the jobs waiting under
 * the old name are orphaned. Add a new name instead and drain the old queue.
 */
export const QUEUES = {
  cacheWrite: 'cache-write',
  sessionUpdate: 'session-update',
  guardrailCheck: 'guardrail-check',
  analytics: 'analytics',
  audit: 'audit',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const QUEUE_NAMES: readonly QueueName[] = Object.values(QUEUES);

/** The payload schema of each queue: producers and consumers both parse with it. */
export const JOB_SCHEMAS = {
  'cache-write': CacheWriteJobSchema,
  'session-update': SessionUpdateJobSchema,
  'guardrail-check': GuardrailCheckJobSchema,
  analytics: AnalyticsEventSchema,
  audit: AuditJobSchema,
} as const satisfies Record<QueueName, z.ZodType>;

export type JobData<N extends QueueName> = z.infer<(typeof JOB_SCHEMAS)[N]>;

/**
 * A job's id follows from its content, so handing the same job over twice (a retry after a lost
 * acknowledgement, a replay from the spill buffer) never doubles its effect.
 */
export function jobIdFor<N extends QueueName>(name: N, data: JobData<N>): string {
  const key = 'traceId' in data ? data.traceId : data.eventId;
  return `${name}.${key}`;
}

/** Per-queue retry settings: a slow or failing sink retries on its own schedule (bulkhead). */
export const QUEUE_SETTINGS: Record<QueueName, { attempts: number; backoffMs: number; concurrency: number }> = {
  'cache-write': { attempts: 5, backoffMs: 200, concurrency: 20 },
  'session-update': { attempts: 5, backoffMs: 500, concurrency: 20 },
  'guardrail-check': { attempts: 5, backoffMs: 200, concurrency: 10 },
  analytics: { attempts: 5, backoffMs: 1000, concurrency: 5 },
  audit: { attempts: 5, backoffMs: 1000, concurrency: 5 },
};
