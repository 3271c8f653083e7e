import { withDeadline } from '@manga-assist/resilience';
import { Counter, Gauge, Histogram } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';
import type { QueueSet } from './queue-set';

/** Job states reported as queue depth. */
export const DEPTH_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;

export interface QueueMetricsOptions {
  registry: Registry;
  /** Queues whose depth is read from Redis on each scrape. */
  queues: QueueSet;
  /** A scrape gives up on Redis after this long rather than hang /metrics. */
  depthTimeoutMs?: number;
}

export interface QueueMetrics {
  /** One run of a handler, whatever its outcome. */
  observeDuration(queue: string, seconds: number): void;
  completed(queue: string): void;
  /** One failed attempt (retried or not). */
  failed(queue: string): void;
  deadLettered(queue: string): void;
  /** A job given back to its queue because its worker stopped renewing the lock (e.g. was killed). */
  stalled(queue: string): void;
}

/**
 * Per-queue metrics: depth by state (read from Redis at scrape time, so every replica reports
 * the shared queue), and per-process counters and a processing-time histogram.
 */
export function createQueueMetrics({ registry, queues, depthTimeoutMs = 1000 }: QueueMetricsOptions): QueueMetrics {
  const registers = [registry];
  new Gauge({
    name: 'manga_assist_queue_depth',
    help: 'Jobs in each queue by state, as stored in Redis (the dead-letter queue holds its entries as waiting).',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      try {
        const all = await withDeadline(
          depthTimeoutMs,
          () => Promise.all(queues.all().map(async (q) => [q.name, await q.getJobCounts(...DEPTH_STATES)] as const)),
          () => new Error('timeout'),
        );
        for (const [queue, counts] of all) {
          for (const state of DEPTH_STATES) this.set({ queue, state }, counts[state] ?? 0);
        }
      } catch {
        // Redis away: report no depth rather than stale numbers or a failed scrape.
        this.reset();
      }
    },
  });
  const duration = new Histogram({
    name: 'manga_assist_job_duration_seconds',
    help: 'Time a handler took for one job attempt.',
    labelNames: ['queue'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['queue'], registers });
  const completed = counter('manga_assist_jobs_completed_total', 'Jobs completed by this process.');
  const failed = counter('manga_assist_jobs_failed_total', 'Job attempts that failed in this process (retried or dead-lettered).');
  const deadLettered = counter('manga_assist_jobs_dead_lettered_total', 'Jobs this process moved to the dead-letter queue after their last attempt.');
  const stalled = counter('manga_assist_jobs_stalled_total', 'Jobs given back to their queue because the worker running them stopped (e.g. was killed).');

  return {
    observeDuration: (queue, seconds) => duration.observe({ queue }, seconds),
    completed: (queue) => completed.inc({ queue }),
    failed: (queue) => failed.inc({ queue }),
    deadLettered: (queue) => deadLettered.inc({ queue }),
    stalled: (queue) => stalled.inc({ queue }),
  };
}
