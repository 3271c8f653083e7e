import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { Client } from '@opensearch-project/opensearch';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_CREDENTIALS, isLocalStandIn } from '@manga-assist/config';
import type { AwsSettings, ModelSettings, SearchSettings } from '@manga-assist/config';
import { awsRequestHandler } from '@manga-assist/pools';
import type { ConnectionPool } from '@manga-assist/pools';
import type { Embedder } from './embedder';
import type { RetrievalLogger } from './logger';
import { createOpenSearchClient, OpenSearchVectorIndex } from './opensearch-vector-index';
import type { AwsCredentials } from './opensearch-vector-index';
import { createTitanEmbedder } from './titan-embedder';
import type { TitanV2Dimensions } from './titan-embedder';
import type { VectorIndex } from './vector-index';

/** What the search backend is chosen from: the `searchShape` variables, Bedrock's endpoint (Titan), the region and LOCAL_STACK. */
export type SearchEnv = SearchSettings & Pick<ModelSettings, 'BEDROCK_ENDPOINT'> & Pick<AwsSettings, 'AWS_REGION' | 'LOCAL_STACK'>;

/** Where product search runs: the embedded HNSW index, or an OpenSearch Serverless collection. */
export type SearchBackend =
  | { kind: 'hnsw' }
  | {
      kind: 'opensearch';
      endpoint: string;
      index: string;
      region: string;
      /** Static credentials (a local stand-in endpoint); otherwise the AWS SDK's default chain. */
      credentials?: AwsCredentials;
      /** Questions are embedded by Titan on Bedrock; without it, by the hashed n-gram embedder. */
      titan?: { modelId: string; dimensions: TitanV2Dimensions; endpoint?: string; credentials?: AwsCredentials };
    };


export function searchBackendConfig(env: SearchEnv): SearchBackend {
  if (env.VECTOR_INDEX === 'hnsw') return { kind: 'hnsw' };
  if (!env.OPENSEARCH_ENDPOINT) throw new Error('OPENSEARCH_ENDPOINT is required when VECTOR_INDEX=opensearch');
  // A local stand-in endpoint accepts any signature, and a dev machine has no AWS profile; an AWS
  // endpoint always gets the default chain's credentials, whatever LOCAL_STACK says.
  const localStandIn = (endpoint: string | undefined) => isLocalStandIn(env.LOCAL_STACK, endpoint);
  return {
    kind: 'opensearch',
    endpoint: env.OPENSEARCH_ENDPOINT,
    index: env.OPENSEARCH_INDEX,
    region: env.AWS_REGION,
    credentials: localStandIn(env.OPENSEARCH_ENDPOINT) ? LOCAL_CREDENTIALS : undefined,
    titan:
      env.SEARCH_EMBEDDER === 'titan'
        ? {
            modelId: env.TITAN_EMBED_MODEL_ID,
            dimensions: env.TITAN_EMBED_DIMENSIONS,
            endpoint: env.BEDROCK_ENDPOINT,
            credentials: localStandIn(env.BEDROCK_ENDPOINT) ? LOCAL_CREDENTIALS : undefined,
          }
        : undefined,
  };
}

/** Keep-alive pools for the search's own calls: OpenSearch (`search`) and Titan (`model`). */
export interface SearchPools {
  search?: ConnectionPool;
  model?: ConnectionPool;
}

/**
 * The collection's client, the vector index over it and the embedder of its queries, for a
 * `kind: 'opensearch'` backend (the apps search through it; the catalog loader writes with it).
 */
export function createOpenSearchBackend(
  backend: Extract<SearchBackend, { kind: 'opensearch' }>,
  { pools = {}, log, hashedEmbedder }: { pools?: SearchPools; log: RetrievalLogger; hashedEmbedder: Embedder },
): { client: Client; index: VectorIndex; embedder: Embedder } {
  const staticCredentials = backend.credentials;
  const getCredentials = staticCredentials ? async () => staticCredentials : defaultProvider();
  const client = createOpenSearchClient({ node: backend.endpoint, region: backend.region, getCredentials, pool: pools.search });
  const index = new OpenSearchVectorIndex({ client, index: backend.index, log });
  if (!backend.titan) return { client, index, embedder: hashedEmbedder };
  const bedrock = new BedrockRuntimeClient({
    region: backend.region,
    ...(backend.titan.endpoint === undefined ? {} : { endpoint: backend.titan.endpoint }),
    ...(backend.titan.credentials === undefined ? {} : { credentials: backend.titan.credentials }),
    // One attempt: the vector-search policy decides about retries.
    maxAttempts: 1,
    // HTTP/1.1 (the SDK's default HTTP/2 is refused by proxies and local stand-ins), pooled when a pool is given.
    requestHandler: pools.model ? awsRequestHandler(pools.model) : new NodeHttpHandler(),
  });
  return { client, index, embedder: createTitanEmbedder({ client: bedrock, modelId: backend.titan.modelId, dimensions: backend.titan.dimensions }) };
}
