// The status of the OpenSearch Serverless collections and of the VPC endpoints the apps reach them
// through, asked of the control plane once per probe round and carried in the report beside the
// DNS/TLS probes: a collection that is not ACTIVE or an endpoint that is not ACTIVE explains a
// search outage that the network probes alone cannot.
import type { CollectionDiscovery } from '@manga-assist/retrieval';
import type { SearchResourceStatus } from '@manga-assist/contracts';
import { Gauge } from '@manga-assist/telemetry';
import type { Logger, Registry } from '@manga-assist/telemetry';

export interface SearchStatusOptions {
  discovery: CollectionDiscovery;
  collections: string[];
  vpcEndpoints: string[];
  logger: Logger;
  registry: Registry;
  now?: () => Date;
}

export interface SearchStatus {
  /** Asks the control plane; never throws: an unreachable service reads as UNKNOWN with the reason. */
  check(): Promise<SearchResourceStatus[]>;
  latest(): SearchResourceStatus[] | undefined;
}

export function createSearchStatus({ discovery, collections, vpcEndpoints, logger, registry, now = () => new Date() }: SearchStatusOptions): SearchStatus {
  let latest: SearchResourceStatus[] | undefined;
  const active = new Gauge({
    name: 'manga_assist_search_resource_active',
    help: 'Whether an OpenSearch Serverless collection or its VPC endpoint is ACTIVE (1) or not (0), by kind and name.',
    labelNames: ['kind', 'name'],
    registers: [registry],
  });

  const unknown = (kind: SearchResourceStatus['kind'], names: string[], error: unknown, checkedAt: string): SearchResourceStatus[] =>
    names.map((name) => ({ kind, name, status: 'UNKNOWN', active: false, detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error), checkedAt }));

  return {
    async check() {
      const checkedAt = now().toISOString();
      const [collectionStatus, endpointStatus] = await Promise.all([
        discovery.collections(collections).then(
          (list) => list.map((c): SearchResourceStatus => ({ kind: 'collection', name: c.name, status: c.status, active: c.status === 'ACTIVE', detail: c.endpoint ?? c.error ?? null, checkedAt })),
          (error: unknown) => unknown('collection', collections, error, checkedAt),
        ),
        discovery.vpcEndpoints(vpcEndpoints).then(
          (list) => list.map((e): SearchResourceStatus => ({ kind: 'vpc-endpoint', name: e.id, status: e.status, active: e.status === 'ACTIVE', detail: e.error ?? null, checkedAt })),
          (error: unknown) => unknown('vpc-endpoint', vpcEndpoints, error, checkedAt),
        ),
      ]);
      const next = [...collectionStatus, ...endpointStatus];
      for (const resource of next) {
        const before = latest?.find((r) => r.kind === resource.kind && r.name === resource.name);
        if (before?.status !== resource.status) {
          const fields = { kind: resource.kind, name: resource.name, from: before?.status ?? null, status: resource.status, detail: resource.detail };
          if (resource.active) logger.info(fields, `${resource.kind} ${resource.name} is ${resource.status}`);
          else logger.warn(fields, `${resource.kind} ${resource.name} is ${resource.status}, not ACTIVE`);
        }
        active.set({ kind: resource.kind, name: resource.name }, resource.active ? 1 : 0);
      }
      latest = next;
      return next;
    },
    latest: () => latest,
  };
}
