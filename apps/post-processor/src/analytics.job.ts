import { UnrecoverableError } from 'bullmq';
import { RecordTooLargeError } from '@manga-assist/analytics';
import type { AnalyticsSink, BatchStats } from '@manga-assist/analytics';
import type { AskedCounters } from '@manga-assist/popularity';
import type { JobHandler } from '@manga-assist/queue';
import { Counter, Histogram } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

export interface AnalyticsJobDeps {
  sink: AnalyticsSink;
  /** How often each title is asked about: the scheduler blends it into trending and top titles. */
  asked?: AskedCounters;
}

/** Puts the event into the analytics stream through the shared PutRecords batch. */
export function createAnalyticsJob({ sink, asked }: AnalyticsJobDeps): JobHandler<'analytics'> {
  return async (event) => {
    try {
      const outcome = await sink.record(event);
      // Counted once per event: a repeated delivery finds the event already stored.
      if (outcome === 'stored' && asked) await asked.record(event.titleIds, new Date(event.at));
      return { outcome };
    } catch (error) {
      // No retry makes a record smaller.
      if (error instanceof RecordTooLargeError) throw new UnrecoverableError(error.message);
      throw error;
    }
  };
}

/** Metrics of each PutRecords call, for the batcher's `onBatch`. */
export function observeKinesisBatches(registry: Registry): (stats: BatchStats) => void {
  const size = new Histogram({
    name: 'manga_assist_kinesis_batch_records',
    help: 'Records per PutRecords call.',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'manga_assist_kinesis_records_refused_total',
    help: 'Records Kinesis refused within a PutRecords call (or in a failed call); each is retried on its own.',
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'manga_assist_kinesis_put_records_seconds',
    help: 'Time one PutRecords call took.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return (stats) => {
    size.observe(stats.records);
    seconds.observe(stats.ms / 1000);
    if (stats.failed > 0) refused.inc(stats.failed);
  };
}
