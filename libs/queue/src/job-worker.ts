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
  extra?: Partial<WorkerOptions>;
}

/**
 * A BullMQ worker for one queue whose handler receives the parsed payload. A payload that breaks
 * its schema fails at once without retries (retrying cannot fix it).
 */
export function createJobWorker<N extends QueueName>(name: N, handler: JobHandler<N>, options: JobWorkerOptions): Worker {
  return new Worker(
    name,
    async (job: Job) => {
      const parsed = JOB_SCHEMAS[name].safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid ${name} payload: ${parsed.error.message}`);
      return handler(parsed.data as JobData<N>, job);
    },
    {
      connection: bullConnection(options.redisUrl, { maxRetriesPerRequest: null }),
      prefix: options.prefix ?? 'ma',
      concurrency: options.concurrency ?? QUEUE_SETTINGS[name].concurrency,
      autorun: options.autorun ?? false,
      ...options.extra,
    },
  );
}
