import { searchBackendConfig } from './search-backend';
import type { SearchEnv } from './search-backend';

const env = (overrides: Partial<SearchEnv>): SearchEnv => ({
  VECTOR_INDEX: 'opensearch',
  OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200',
  OPENSEARCH_COLLECTION_POLL_MS: 10_000,
  OPENSEARCH_INDEX: 'manga-products',
  SEARCH_EMBEDDER: 'titan',
  TITAN_EMBED_MODEL_ID: 'amazon.titan-embed-text-v2:0',
  TITAN_EMBED_DIMENSIONS: 512,
  AWS_REGION: 'ap-northeast-1',
  LOCAL_STACK: true,
  ...overrides,
});

describe('searchBackendConfig: which credentials sign the search', () => {
  it('signs a local stand-in with fixed local credentials, and never an AWS endpoint', () => {
    const local = searchBackendConfig(env({ BEDROCK_ENDPOINT: 'http://127.0.0.1:4000' }));
    expect(local).toMatchObject({ kind: 'opensearch', credentials: { accessKeyId: 'local' }, titan: { credentials: { accessKeyId: 'local' } } });

    // LOCAL_STACK left at its default, endpoints on AWS: the SDK's default chain for both.
    const aws = searchBackendConfig(env({ OPENSEARCH_ENDPOINT: 'https://abc123.ap-northeast-1.aoss.amazonaws.com' }));
    expect(aws.kind === 'opensearch' && aws.credentials).toBeFalsy();
    expect(aws.kind === 'opensearch' && aws.titan?.credentials).toBeFalsy();
  });

  it('uses the default chain everywhere once LOCAL_STACK=false', () => {
    const backend = searchBackendConfig(env({ LOCAL_STACK: false, BEDROCK_ENDPOINT: 'http://127.0.0.1:4000' }));
    expect(backend.kind === 'opensearch' && (backend.credentials ?? backend.titan?.credentials)).toBeFalsy();
  });

  it('searches the embedded index when told to, and embeds with the hashed embedder unless Titan is named', () => {
    expect(searchBackendConfig(env({ VECTOR_INDEX: 'hnsw', SEARCH_EMBEDDER: 'hashed' }))).toEqual({ kind: 'hnsw' });
    expect(searchBackendConfig(env({ SEARCH_EMBEDDER: 'hashed' }))).toMatchObject({ kind: 'opensearch', titan: undefined });
  });
});
