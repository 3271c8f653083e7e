import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';
import {
  ANALYSIS_QUEUE,
  AnalysisJobSchema,
  AnalyticsEventSchema,
  AnsweredBatchJobSchema,
  AuditJobSchema,
  CacheWriteJobSchema,
  CatalogUpdateJobSchema,
  GuardrailCheckJobSchema,
  PaymentEventJobSchema,
  ReviewEventJobSchema,
  SessionUpdateJobSchema,
} from '@manga-assist/contracts';
import type { WebhookSource } from '@manga-assist/contracts';

/**
 * Queue names. They live in Redis next to their jobs: NEVER rename one, or the jobs waiting under
 * the old name are orphaned. Add a new name instead and drain the old queue. Retired, never to be
 * reused: `answered` (one answer per job; drained, then removed, once gateways sent answered-batch).
 */
export const QUEUES = {
  cacheWrite: 'cache-write',
  sessionUpdate: 'session-update',
  guardrailCheck: 'guardrail-check',
  analytics: 'analytics',
  audit: 'audit',
  /**
   * The gateway's answers, several per job, carrying what the kinds above need; the post-processor
   * fans each answer out into their queues (each kind keeps its own retries and concurrency).
   */
  answeredBatch: 'answered-batch',
  /** Webhook deliveries, one queue per source so a flood from one cannot starve another. */
  webhookCatalog: 'webhook-catalog',
  webhookPayments: 'webhook-payments',
  webhookReviews: 'webhook-reviews',
  /** Long analyses (POST /v1/analyze, the WebSocket `analyze` action): one job per operation, calling Sonnet. */
  analysis: ANALYSIS_QUEUE,
  /** Jobs that used up their attempts (no worker drains it; see dead-letter-queue.ts). */
  deadLetter: 'dead-letter',
} as const;
export type DeadLetterQueueName = typeof QUEUES.deadLetter;
/** Queues that carry work, one per kind of job. */
export type QueueName = Exclude<(typeof QUEUES)[keyof typeof QUEUES], DeadLetterQueueName>;
export const QUEUE_NAMES: readonly QueueName[] = Object.values(QUEUES).filter((n): n is QueueName => n !== QUEUES.deadLetter);

/** The payload schema of each queue: producers and consumers both parse with it. */
export const JOB_SCHEMAS = {
  'cache-write': CacheWriteJobSchema,
  'session-update': SessionUpdateJobSchema,
  'guardrail-check': GuardrailCheckJobSchema,
  analytics: AnalyticsEventSchema,
  audit: AuditJobSchema,
  'answered-batch': AnsweredBatchJobSchema,
  'webhook-catalog': CatalogUpdateJobSchema,
  'webhook-payments': PaymentEventJobSchema,
  'webhook-reviews': ReviewEventJobSchema,
  analysis: AnalysisJobSchema,
} as const satisfies Record<QueueName, z.ZodType>;

export type JobData<N extends QueueName> = z.infer<(typeof JOB_SCHEMAS)[N]>;
/** What a producer hands over: fields with a default (the lineage) may be left out. */
export type JobInput<N extends QueueName> = z.input<(typeof JOB_SCHEMAS)[N]>;

/** The queue each webhook source's deliveries go to. */
export const WEBHOOK_QUEUES = {
  catalog: QUEUES.webhookCatalog,
  payments: QUEUES.webhookPayments,
  reviews: QUEUES.webhookReviews,
} as const satisfies Record<WebhookSource, QueueName>;

/**
 * A job's id follows from its content, so handing the same job over twice (a retry after a lost
 * acknowledgement, a replay from the spill buffer) never doubles its effect.
 */
export function jobIdFor<N extends QueueName>(name: N, data: JobInput<N>): string {
  const key = 'operationId' in data ? data.operationId : 'batchId' in data ? data.batchId : 'traceId' in data ? data.traceId : data.eventId;
  return `${name}.${key}`;
}

export interface QueueSettings {
  /** Tries before the job goes to the dead-letter queue. */
  attempts: number;
  /** First retry delay; doubles each attempt, with jitter. */
  backoffMs: number;
  /** Jobs one worker process runs at once. */
  concurrency: number;
  /** Jobs started per `durationMs` across every worker of the queue (BullMQ's queue-wide limiter). */
  rateLimit?: { max: number; durationMs: number };
  /** Times one job may be handed to another worker after its worker died (default 3). */
  maxStalledCount?: number;
}

/**
 * Per-queue settings: each kind has its own queue, concurrency and retry schedule, so a slow or
 * failing sink backs up only its own queue (bulkhead).
 */
export const QUEUE_SETTINGS: Record<QueueName, QueueSettings> = {
  'cache-write': { attempts: 5, backoffMs: 200, concurrency: 20 },
  'session-update': { attempts: 5, backoffMs: 500, concurrency: 20 },
  'guardrail-check': { attempts: 5, backoffMs: 200, concurrency: 10 },
  // Analytics jobs wait on a shared PutRecords batch: more of them in flight makes fuller batches.
  analytics: { attempts: 5, backoffMs: 1000, concurrency: 50 },
  // Audit lines share one append + fsync (group commit) the same way.
  audit: { attempts: 5, backoffMs: 1000, concurrency: 20 },
  // A fan-out only adds jobs to Redis: quick retries like the other Redis-only kinds.
  'answered-batch': { attempts: 5, backoffMs: 200, concurrency: 20 },
  // Per-source bulkheads: a 5,000-item catalog flood (500 jobs) is metered out at its own pace
  // while payments, which a customer is waiting on, keep a wider lane of their own.
  'webhook-catalog': { attempts: 5, backoffMs: 1000, concurrency: 4, rateLimit: { max: 100, durationMs: 1000 } },
  'webhook-payments': { attempts: 8, backoffMs: 500, concurrency: 20, rateLimit: { max: 1000, durationMs: 1000 } },
  'webhook-reviews': { attempts: 5, backoffMs: 1000, concurrency: 5, rateLimit: { max: 50, durationMs: 1000 } },
  // Minutes of Sonnet each: few at once per process, one retry after a failure (a worker that dies
  // mid-run is a stall, not a failure: BullMQ hands the job over once more, see the post-processor).
  analysis: { attempts: 2, backoffMs: 5000, concurrency: 4, maxStalledCount: 1 },
};

/**
 * Options of every job added to a queue, by the producer and by a dead-letter retry alike:
 * deterministic id, attempts, exponential backoff with jitter (retries of a burst spread out
 * instead of hitting a recovering sink together) and bounded retention.
 */
export function jobOptionsFor<N extends QueueName>(name: N, jobId: string): JobsOptions {
  const settings = QUEUE_SETTINGS[name];
  return {
    jobId,
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs, jitter: 0.5 },
    removeOnComplete: { age: 3600, count: 10_000 },
    // Kept a week: a dead letter's retry removes its failed original first.
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
