import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';

/**
 * A registry per app (never prom-client's global one, so several apps can live in one test
 * process) with Node's default process metrics and an `app` label on every series.
 */
export function createMetricsRegistry(app: string, { defaultMetrics = true } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  if (defaultMetrics) {
    collectDefaultMetrics({ register: registry, prefix: PREFIX });
    // These three are gauges named like counters, which `promtool check metrics` rejects.
    for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(PREFIX + name);
    watchFullCollections();
    new Gauge({
      name: `${PREFIX}nodejs_heap_after_full_gc_bytes`,
      help: 'V8 heap in use just after the last full (mark-compact) collection: what survived it. Between collections the heap used also counts garbage; this is the figure that shows a leak.',
      registers: [registry],
      collect() {
        if (heapAfterFullGc !== undefined) this.set(heapAfterFullGc);
      },
    });
  }
  return registry;
}

let heapAfterFullGc: number | undefined;
let gcObserver: PerformanceObserver | undefined;

/** One observer per process, however many registries: records the heap after each full collection. */
function watchFullCollections(): void {
  if (gcObserver) return;
  gcObserver = new PerformanceObserver((list) => {
    const full = list.getEntries().some((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (full) heapAfterFullGc = getHeapStatistics().used_heap_size;
  });
  gcObserver.observe({ entryTypes: ['gc'] });
}

const PREFIX = 'manga_assist_';
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
