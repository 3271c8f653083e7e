import { UnrecoverableError, Worker } from 'bullmq';
import type { Job, WorkerOptions } from 'bullmq';
import { bullConnection } from './connection';
import { JOB_SCHEMAS, QUEUE_SETTINGS } from './queues';
import type { JobData, QueueName } from './queues';

export type JobHandler<N extends QueueName> = (data: JobData<N>, job: Job) => Promise<unknown>;

export interface JobWorkerOptions {
  redisUrl: string;
  prefix?: string;
  concurrency?: number;
  /** Created paused: the process resumes it once its sinks are reachable. */
  autorun?: boolean;
  /**
   * How long a job's lock lasts unless renewed (it is renewed at half this while the job runs). A
   * worker that dies mid-job gives its jobs back once the lock has lapsed and a stalled check runs.
   */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died. */
  stalledIntervalMs?: number;
  /** How many times one job may be given back after its worker died before it fails for good. */
  maxStalledCount?: number;
  /** Called after each run of the handler (parse included), with its duration. */
  onProcessed?(seconds: number): void;
  extra?: Partial<WorkerOptions>;
}

/**
 * A BullMQ worker for one queue whose handler receives the parsed payload. A payload that breaks
 * its schema fails at once without retries (retrying cannot fix it).
 */
export function createJobWorker<N extends QueueName>(name: N, handler: JobHandler<N>, options: JobWorkerOptions): Worker {
  const { lockDurationMs = 30_000, stalledIntervalMs = 30_000, maxStalledCount = QUEUE_SETTINGS[name].maxStalledCount ?? 3, onProcessed } = options;
  const rateLimit = QUEUE_SETTINGS[name].rateLimit;
  return new Worker(
    name,
    async (job: Job) => {
      const started = performance.now();
      try {
        const parsed = JOB_SCHEMAS[name].safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid ${name} payload: ${parsed.error.message}`);
        return await handler(parsed.data as JobData<N>, job);
      } finally {
        onProcessed?.((performance.now() - started) / 1000);
      }
    },
    {
      connection: bullConnection(options.redisUrl, { maxRetriesPerRequest: null }),
      prefix: options.prefix ?? 'ma',
      concurrency: options.concurrency ?? QUEUE_SETTINGS[name].concurrency,
      autorun: options.autorun ?? false,
      lockDuration: lockDurationMs,
      stalledInterval: stalledIntervalMs,
      maxStalledCount,
      limiter: rateLimit ? { max: rateLimit.max, duration: rateLimit.durationMs } : undefined,
      ...options.extra,
    },
  );
}
