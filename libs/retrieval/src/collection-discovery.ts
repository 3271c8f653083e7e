// OpenSearch Serverless collections found by name (OPENSEARCH_COLLECTION) instead of a configured
// endpoint: BatchGetCollection gives each collection's status and endpoint, BatchGetVpcEndpoint the
// status of the VPC endpoint the apps reach it through. Search may use a collection only once it is
// ACTIVE; until then the app stays not-ready with the reason.
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCollectionCommand, BatchGetVpcEndpointCommand } from '@aws-sdk/client-opensearchserverless';
import type { OpenSearchServerlessClient } from '@aws-sdk/client-opensearchserverless';
import { createOpenSearchServerlessClient } from '@manga-assist/aws';
import type { RetrievalLogger } from './logger';
import { searchBackendConfig } from './search-backend';
import type { SearchBackend, SearchEnv } from './search-backend';

/** A collection's state as the service reports it, or NOT_FOUND when no collection has that name. */
export interface CollectionStatus {
  name: string;
  status: string;
  id?: string;
  /** `https://<id>.<region>.aoss.amazonaws.com`, present once the service has assigned it. */
  endpoint?: string;
  /** Why the service could not describe it (errorCode: errorMessage). */
  error?: string;
}

export interface VpcEndpointStatus {
  id: string;
  status: string;
  name?: string;
  vpcId?: string;
  error?: string;
}

export const NOT_FOUND = 'NOT_FOUND';

/** The collection exists but cannot be searched yet (CREATING, FAILED, DELETING) or does not exist. */
export class CollectionNotActiveError extends Error {
  override readonly name = 'CollectionNotActiveError';
  constructor(
    readonly collection: string,
    readonly status: string,
  ) {
    super(`OpenSearch collection ${collection} is ${status}, not ACTIVE`);
  }
}

export interface CollectionDiscovery {
  collections(names: string[]): Promise<CollectionStatus[]>;
  vpcEndpoints(ids: string[]): Promise<VpcEndpointStatus[]>;
  /** The endpoint of an ACTIVE collection; CollectionNotActiveError otherwise. */
  activeEndpoint(name: string): Promise<string>;
}

export function createCollectionDiscovery({ client }: { client: OpenSearchServerlessClient }): CollectionDiscovery {
  const collections = async (names: string[]): Promise<CollectionStatus[]> => {
    if (names.length === 0) return [];
    const out = await client.send(new BatchGetCollectionCommand({ names }));
    return names.map((name) => {
      const detail = out.collectionDetails?.find((d) => d.name === name);
      if (detail) return { name, status: detail.status ?? 'UNKNOWN', id: detail.id, endpoint: detail.collectionEndpoint };
      const error = out.collectionErrorDetails?.find((e) => e.name === name);
      return { name, status: NOT_FOUND, ...(error ? { error: `${error.errorCode}: ${error.errorMessage}` } : {}) };
    });
  };
  const vpcEndpoints = async (ids: string[]): Promise<VpcEndpointStatus[]> => {
    if (ids.length === 0) return [];
    const out = await client.send(new BatchGetVpcEndpointCommand({ ids }));
    return ids.map((id) => {
      const detail = out.vpcEndpointDetails?.find((d) => d.id === id);
      if (detail) return { id, status: detail.status ?? 'UNKNOWN', name: detail.name, vpcId: detail.vpcId };
      const error = out.vpcEndpointErrorDetails?.find((e) => e.id === id);
      return { id, status: NOT_FOUND, ...(error ? { error: `${error.errorCode}: ${error.errorMessage}` } : {}) };
    });
  };
  return {
    collections,
    vpcEndpoints,
    activeEndpoint: async (name) => {
      const [collection] = await collections([name]);
      if (collection?.status !== 'ACTIVE' || !collection.endpoint) throw new CollectionNotActiveError(name, collection?.status ?? NOT_FOUND);
      return collection.endpoint;
    },
  };
}

export interface ResolveSearchBackendOptions {
  log: RetrievalLogger;
  /** Defaults to a client of the control plane for AWS_REGION (or OPENSEARCH_SERVERLESS_ENDPOINT). */
  discovery?: CollectionDiscovery;
  /** Stops waiting (the app is shutting down). */
  signal?: AbortSignal;
}

/**
 * The search backend, with OPENSEARCH_COLLECTION resolved to its endpoint: asked again every
 * OPENSEARCH_COLLECTION_POLL_MS until the collection is ACTIVE, so an app started beside a
 * collection still being created waits (not ready, the status in its log) instead of failing.
 * Without OPENSEARCH_COLLECTION it is `searchBackendConfig(env)`.
 */
export async function resolveSearchBackend(env: SearchEnv, { log, discovery, signal }: ResolveSearchBackendOptions): Promise<SearchBackend> {
  const name = env.OPENSEARCH_COLLECTION;
  if (env.VECTOR_INDEX !== 'opensearch' || env.OPENSEARCH_ENDPOINT || !name) return searchBackendConfig(env);
  const client = discovery
    ? undefined
    : createOpenSearchServerlessClient({ region: env.AWS_REGION, endpoint: env.OPENSEARCH_SERVERLESS_ENDPOINT, localStack: env.LOCAL_STACK });
  const collections = discovery ?? createCollectionDiscovery({ client: client as OpenSearchServerlessClient });
  try {
    for (;;) {
      try {
        const endpoint = await collections.activeEndpoint(name);
        log.info({ collection: name, endpoint }, `OpenSearch collection ${name} is ACTIVE`);
        return searchBackendConfig({ ...env, OPENSEARCH_ENDPOINT: endpoint });
      } catch (error) {
        const why = error instanceof CollectionNotActiveError ? error.message : `OpenSearch collection ${name} could not be looked up (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`;
        log.warn({ collection: name, retryInMs: env.OPENSEARCH_COLLECTION_POLL_MS }, `${why}; search waits for it`);
        await sleep(env.OPENSEARCH_COLLECTION_POLL_MS, undefined, { signal });
      }
    }
  } finally {
    client?.destroy();
  }
}
