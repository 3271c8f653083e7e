import type { Redis } from 'ioredis';
import { createOpenSearchServerlessClient } from '@manga-assist/aws';
import { createDnsCache } from '@manga-assist/dns-cache';
import type { DnsCache } from '@manga-assist/dns-cache';
import {
  createHostResolver,
  createProbeRunner,
  endpointsFromSettings,
  fetchAvailabilityZone,
  resolverFromSettings,
} from '@manga-assist/probes';
import type { ProbeRunner } from '@manga-assist/probes';
import { createCollectionDiscovery } from '@manga-assist/retrieval';
import type { HealthCheckerRouterDeps, ServiceDeps } from '@manga-assist/rpc';
import type { ReadinessCheck } from '@manga-assist/server';
import type { Logger, Registry } from '@manga-assist/telemetry';
import type { HealthCheckerConfig } from './config';
import { registerRedisMemoryMetrics } from './redis-memory';
import { createReportStore } from './report-store';
import type { ReportStore } from './report-store';
import { createSearchStatus } from './search-status';
import type { SearchStatus } from './search-status';

export interface HealthCheckerOptions {
  config: HealthCheckerConfig;
  logger: Logger;
  registry: Registry;
  redis: Redis;
}

export interface HealthChecker {
  runner: ProbeRunner;
  /** The apps' DNS cache, configured like theirs; null when names resolve through getaddrinfo. */
  dnsCache: DnsCache | null;
  store: ReportStore;
  /** The search collections' and VPC endpoints' status; null unless OPENSEARCH_COLLECTION or _VPC_ENDPOINT_ID is set. */
  search: SearchStatus | null;
  /** Ready once the first probe round has finished (whatever it found). */
  checks: ReadinessCheck[];
  routerDeps(service: ServiceDeps): HealthCheckerRouterDeps;
  start(): void;
  stop(): Promise<void>;
}

async function availabilityZone(config: HealthCheckerConfig, logger: Logger): Promise<string | null> {
  if (config.HEALTH_AZ) return config.HEALTH_AZ;
  if (!config.ECS_CONTAINER_METADATA_URI_V4) return null;
  try {
    return await fetchAvailabilityZone({ metadataUri: config.ECS_CONTAINER_METADATA_URI_V4 });
  } catch (error) {
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'no AZ label: the ECS task metadata endpoint did not answer');
    return null;
  }
}

/** The health checker's parts, wired from its config: probes, DNS cache view, history, report publishing. */
export async function createHealthChecker({ config, logger, registry, redis }: HealthCheckerOptions): Promise<HealthChecker> {
  const endpoints = endpointsFromSettings(config);
  const resolverOptions = resolverFromSettings(config);
  // The cache queries name servers directly; with getaddrinfo (local mode) there is nothing to compare.
  const dnsCache =
    resolverOptions.servers === 'system'
      ? null
      : createDnsCache({
          maxTtlSeconds: config.DNS_CACHE_MAX_TTL_S,
          servers: Array.isArray(resolverOptions.servers) ? resolverOptions.servers : undefined,
          timeoutMs: config.DNS_TIMEOUT_MS,
          privateHosts: new Map(endpoints.filter((e) => e.expectPrivate).map((e) => [e.host, e.privateCidrs])),
          log: logger,
          registry,
        });
  // How full Redis is, its evictions and eviction policy (the alert rules read them).
  registerRedisMemoryMetrics({ redis, registry });
  const store = createReportStore({
    redis,
    keyPrefix: config.KEY_PREFIX,
    ttlMs: Math.max(config.PROBE_INTERVAL_MS * 5, 60_000),
  });
  const az = await availabilityZone(config, logger);
  const search =
    config.OPENSEARCH_COLLECTION.length + config.OPENSEARCH_VPC_ENDPOINT_ID.length === 0
      ? null
      : createSearchStatus({
          discovery: createCollectionDiscovery({
            client: createOpenSearchServerlessClient({ region: config.AWS_REGION, endpoint: config.OPENSEARCH_SERVERLESS_ENDPOINT }),
          }),
          collections: config.OPENSEARCH_COLLECTION,
          vpcEndpoints: config.OPENSEARCH_VPC_ENDPOINT_ID,
          logger,
          registry,
        });

  const runner = createProbeRunner({
    endpoints,
    resolver: createHostResolver(resolverOptions),
    mode: config.HEALTH_MODE,
    region: config.HEALTH_MODE === 'aws' ? config.AWS_REGION : null,
    az,
    intervalMs: config.PROBE_INTERVAL_MS,
    recheckMs: config.PROBE_RECHECK_MS,
    timeoutMs: config.PROBE_TIMEOUT_MS,
    certWarnDays: config.CERT_WARN_DAYS,
    historySize: config.HEALTH_HISTORY_SIZE,
    dnsCache,
    log: logger,
    registry,
    // The control plane is asked after the probes, so its answer never delays their timings.
    onReport: async (report) => store.save(search ? { ...report, search: await search.check() } : report),
  });
  logger.info(
    { mode: config.HEALTH_MODE, az, endpoints: endpoints.map((e) => `${e.name}=${e.host}:${e.port}`) },
    `probing ${endpoints.length} endpoints every ${config.PROBE_INTERVAL_MS} ms`,
  );

  return {
    runner,
    dnsCache,
    store,
    search,
    checks: [
      {
        name: 'probes',
        check: async () => {
          if (!runner.firstRoundDone()) throw new Error('first probe round not finished yet');
        },
      },
    ],
    routerDeps: (service) => ({
      ...service,
      report: () => {
        const report = runner.latest();
        const status = search?.latest();
        return report && status ? { ...report, search: status } : report;
      },
      history: (query) => runner.history(query),
      probeNow: () => runner.runOnce(),
    }),
    start: () => runner.start(),
    stop: () => runner.stop(),
  };
}
