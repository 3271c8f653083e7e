import { Counter, Gauge } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';
import type { RollingHistogram } from './rolling-histogram';

/** What the metrics read of one profiled segment. */
export interface ProfiledSegment {
  key: string;
  histogram: RollingHistogram;
  budgetMs: number | null;
}

/**
 * The profiler's metrics: the p95 and budget of each segment, computed on scrape, and a counter
 * the budget check moves when a segment goes over (returned; undefined without a registry).
 */
export function registerBudgetMetrics(
  registry: Registry | undefined,
  { budgets, segments, slot }: { budgets: Readonly<Record<string, number>>; segments: () => Iterable<ProfiledSegment>; slot: () => number },
): Counter<'segment'> | undefined {
  if (!registry) return undefined;
  const exceeded = new Counter({
    name: 'manga_assist_latency_budget_exceeded_total',
    help: 'Times a segment p95 went over its latency budget by more than the tolerance (at most once per segment per window).',
    labelNames: ['segment'],
    registers: [registry],
  });
  new Gauge({
    name: 'manga_assist_segment_p95_seconds',
    help: 'p95 duration of each request segment over the rolling window.',
    labelNames: ['segment'],
    registers: [registry],
    collect() {
      this.reset();
      const now = slot();
      for (const entry of segments()) {
        const h = entry.histogram.read(now);
        if (h.totalCount > 0) this.set({ segment: entry.key }, h.getValueAtPercentile(95) / 1e6);
      }
    },
  });
  new Gauge({
    name: 'manga_assist_segment_budget_seconds',
    help: 'p95 latency budget of each request segment.',
    labelNames: ['segment'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, ms] of Object.entries(budgets)) this.set({ segment: key }, ms / 1000);
      for (const entry of segments()) if (entry.budgetMs !== null) this.set({ segment: entry.key }, entry.budgetMs / 1000);
    },
  });
  return exceeded;
}
