import { Counter } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

export interface DnsCacheMetrics {
  hit(host: string): void;
  miss(host: string): void;
  staleServed(host: string): void;
  privateRefused(host: string): void;
  resolverFailure(host: string): void;
}

const NAMES = {
  hits: ['dns_cache_hits_total', 'Lookups answered from the DNS cache within the TTL.'],
  misses: ['dns_cache_misses_total', 'Lookups that queried the resolver.'],
  stale: ['dns_cache_stale_served_total', 'Lookups answered with the last good answer because the resolver failed or timed out.'],
  refused: [
    'dns_private_replaced_refused_total',
    'Fresh answers for a private endpoint whose public addresses were refused (the private address kept).',
  ],
  failures: ['dns_cache_resolver_failures_total', 'Resolver queries that failed or timed out.'],
} as const;

/** Counters per hostname; several caches may share a registry (they then share the series). */
export function createDnsCacheMetrics(registry?: Registry): DnsCacheMetrics {
  const counter = ([name, help]: readonly [string, string]) => {
    if (!registry) return null;
    const existing = registry.getSingleMetric(name);
    if (existing instanceof Counter) return existing as Counter<'host'>;
    return new Counter({ name, help, labelNames: ['host'], registers: [registry] });
  };
  const hits = counter(NAMES.hits);
  const misses = counter(NAMES.misses);
  const stale = counter(NAMES.stale);
  const refused = counter(NAMES.refused);
  const failures = counter(NAMES.failures);
  return {
    hit: (host) => hits?.inc({ host }),
    miss: (host) => misses?.inc({ host }),
    staleServed: (host) => stale?.inc({ host }),
    privateRefused: (host) => refused?.inc({ host }),
    resolverFailure: (host) => failures?.inc({ host }),
  };
}
