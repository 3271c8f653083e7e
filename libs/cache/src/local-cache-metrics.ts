import { Counter, Gauge } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

export interface LocalCacheMetrics {
  lookup(outcome: 'held' | 'miss'): void;
  /** `key`: keys Redis reported changed; `flush`: the database flushed; `clear`: invalidations lost. */
  invalidated(kind: 'key' | 'flush' | 'clear', count?: number): void;
  heldBytes(bytes: number): void;
}

const NO_METRICS: LocalCacheMetrics = { lookup: () => undefined, invalidated: () => undefined, heldBytes: () => undefined };

/** The metrics of one process-local cache: one set per registry, shared by every cache and labelled by `name`. */
export function createLocalCacheMetrics(registry: Registry | undefined, name: string): LocalCacheMetrics {
  if (!registry) return NO_METRICS;
  const existing = <M>(metric: string) => registry.getSingleMetric(metric) as M | undefined;
  const lookups =
    existing<Counter<'cache' | 'outcome'>>('manga_assist_local_cache_lookups_total') ??
    new Counter({
      name: 'manga_assist_local_cache_lookups_total',
      help: 'Lookups in a process-local cache of Redis values: held (no round trip) or read from Redis.',
      labelNames: ['cache', 'outcome'],
      registers: [registry],
    });
  const invalidations =
    existing<Counter<'cache' | 'kind'>>('manga_assist_local_cache_invalidations_total') ??
    new Counter({
      name: 'manga_assist_local_cache_invalidations_total',
      help: 'Keys Redis reported written, deleted or expired (whether held or not), and full clears when invalidations could not arrive.',
      labelNames: ['cache', 'kind'],
      registers: [registry],
    });
  const bytes =
    existing<Gauge<'cache'>>('manga_assist_local_cache_bytes') ??
    new Gauge({
      name: 'manga_assist_local_cache_bytes',
      help: 'Bytes of stored values held in a process-local cache of Redis values.',
      labelNames: ['cache'],
      registers: [registry],
    });
  return {
    lookup: (outcome) => lookups.inc({ cache: name, outcome }),
    invalidated: (kind, count = 1) => invalidations.inc({ cache: name, kind }, count),
    heldBytes: (value) => bytes.set({ cache: name }, value),
  };
}
