import { Registry, collectDefaultMetrics } from 'prom-client';

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
  }
  return registry;
}

const PREFIX = 'manga_assist_';
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
