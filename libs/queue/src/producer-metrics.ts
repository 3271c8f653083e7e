import { Counter, Gauge } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';
import type { QueueName } from './queues';

export interface ProducerMetrics {
  enqueued(queue: QueueName, count?: number): void;
  dropped(queue: QueueName): void;
}

/** The job producer's metrics (unregistered without a registry); `spilled` is read at scrape time. */
export function createProducerMetrics(registry: Registry | undefined, spilled: () => number): ProducerMetrics {
  const registers = registry ? [registry] : [];
  const enqueued = new Counter({
    name: 'manga_assist_jobs_enqueued_total',
    help: 'Jobs handed to the post-processor queues.',
    labelNames: ['queue'],
    registers,
  });
  const dropped = new Counter({
    name: 'manga_assist_jobs_spill_dropped_total',
    help: 'Jobs dropped because the spill buffer was full while Redis refused hand-offs.',
    labelNames: ['queue'],
    registers,
  });
  new Gauge({
    name: 'manga_assist_jobs_spilled',
    help: 'Jobs held in memory because Redis refused them; retried until it accepts them.',
    registers,
    collect() {
      this.set(spilled());
    },
  });
  return {
    enqueued: (queue, count = 1) => enqueued.inc({ queue }, count),
    dropped: (queue) => dropped.inc({ queue }),
  };
}
