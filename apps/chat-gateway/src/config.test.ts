import os from 'node:os';
import { loadConfig } from '@manga-assist/config';
import { gatewayConfigSchema } from './config';

const CONTROL_TOKEN = 'control-token-for-tests-0123456789';

describe('chat-gateway configuration', () => {
  it('listens on 3000 by default', () => {
    expect(loadConfig(gatewayConfigSchema, { CONTROL_TOKEN }).GATEWAY_PORT).toBe(3000);
  });

  it('stops at start on a bad port, naming GATEWAY_PORT', () => {
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, GATEWAY_PORT: 'abc' })).toThrow(
      'GATEWAY_PORT must be a TCP port number from 1 to 65535 (got "abc")',
    );
  });

  it('holds 64 MiB of cache entries in memory by default, and stops at start on a bad size', () => {
    expect(loadConfig(gatewayConfigSchema, { CONTROL_TOKEN }).CACHE_LOCAL_MAX_MB).toBe(64);
    expect(loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, CACHE_LOCAL_MAX_MB: '0' }).CACHE_LOCAL_MAX_MB).toBe(0);
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, CACHE_LOCAL_MAX_MB: 'lots' })).toThrow(/CACHE_LOCAL_MAX_MB/);
  });

  it('searches the embedded HNSW index by default; OpenSearch needs its endpoint, and Titan needs OpenSearch', () => {
    expect(loadConfig(gatewayConfigSchema, { CONTROL_TOKEN })).toMatchObject({ VECTOR_INDEX: 'hnsw', SEARCH_EMBEDDER: 'hashed', TITAN_EMBED_DIMENSIONS: 512 });
    const opensearch = { CONTROL_TOKEN, VECTOR_INDEX: 'opensearch', OPENSEARCH_ENDPOINT: 'https://abc.ap-northeast-1.aoss.amazonaws.com', SEARCH_EMBEDDER: 'titan' };
    expect(loadConfig(gatewayConfigSchema, opensearch)).toMatchObject({ VECTOR_INDEX: 'opensearch', OPENSEARCH_INDEX: 'manga-products', SEARCH_EMBEDDER: 'titan' });
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, VECTOR_INDEX: 'opensearch' })).toThrow('OPENSEARCH_ENDPOINT or OPENSEARCH_COLLECTION is required when VECTOR_INDEX=opensearch');
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, SEARCH_EMBEDDER: 'titan' })).toThrow(/SEARCH_EMBEDDER titan needs VECTOR_INDEX=opensearch/);
    expect(() => loadConfig(gatewayConfigSchema, { ...opensearch, TITAN_EMBED_DIMENSIONS: '300' })).toThrow('TITAN_EMBED_DIMENSIONS must be 256, 512 or 1024 (got "300")');
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, VECTOR_INDEX: 'elastic' })).toThrow('VECTOR_INDEX must be hnsw or opensearch (got "elastic")');
  });

  it('verifies tokens from the local issuer by default; production (NODE_ENV=production or LOCAL_STACK=false) accepts only jwt', () => {
    expect(loadConfig(gatewayConfigSchema, { CONTROL_TOKEN })).toMatchObject({ AUTH_MODE: 'local', AUTH_LOCAL_KEY_DIR: '.data/auth', AUTH_USER_CLAIM: 'sub' });
    const secret = 's'.repeat(32);
    expect(loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, AUTH_MODE: 'anonymous', AUTH_SESSION_SECRET: secret }).AUTH_MODE).toBe('anonymous');
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, AUTH_MODE: 'anonymous', AUTH_SESSION_SECRET: secret, NODE_ENV: 'production' })).toThrow(/AUTH_MODE anonymous is refused in production/);
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, AUTH_MODE: 'anonymous', AUTH_SESSION_SECRET: secret, LOCAL_STACK: 'false' })).toThrow(/AUTH_MODE anonymous is refused in production/);
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, LOCAL_STACK: 'false' })).toThrow(/AUTH_MODE local is refused in production/);
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, AUTH_MODE: 'anonymous' })).toThrow('AUTH_SESSION_SECRET is required with AUTH_MODE=anonymous');
  });

  it('needs a JWKS URL, issuer and audience for jwt, and never allows none or HS256', () => {
    const jwt = { CONTROL_TOKEN, LOCAL_STACK: 'false', AUTH_MODE: 'jwt', AUTH_JWKS_URL: 'https://cognito-idp.ap-northeast-1.amazonaws.com/pool/.well-known/jwks.json', AUTH_ISSUER: 'https://cognito-idp.ap-northeast-1.amazonaws.com/pool', AUTH_AUDIENCE: 'client' };
    expect(loadConfig(gatewayConfigSchema, jwt).AUTH_ALGORITHMS).toEqual(['RS256', 'ES256']);
    expect(() => loadConfig(gatewayConfigSchema, { ...jwt, AUTH_JWKS_URL: undefined })).toThrow('AUTH_JWKS_URL is required with AUTH_MODE=jwt');
    expect(() => loadConfig(gatewayConfigSchema, { ...jwt, AUTH_ALGORITHMS: 'RS256,none' })).toThrow(/AUTH_ALGORITHMS .*not allowed: none/);
    expect(() => loadConfig(gatewayConfigSchema, { ...jwt, AUTH_ALGORITHMS: 'HS256' })).toThrow(/not allowed: HS256/);
  });

  it('leaves webhook sources disabled without secrets, and refuses a malformed secret without printing it', () => {
    const defaults = loadConfig(gatewayConfigSchema, { CONTROL_TOKEN });
    expect([defaults.WEBHOOK_SECRET_CATALOG, defaults.WEBHOOK_SECRET_PAYMENTS, defaults.WEBHOOK_SECRET_REVIEWS, defaults.WEBHOOK_MAX_BACKLOG]).toEqual([undefined, undefined, undefined, 10_000]);
    const standard = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    expect(loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, WEBHOOK_SECRET_CATALOG: standard, WEBHOOK_SECRET_PAYMENTS: 'whsec_0123456789abcdef0123' })).toMatchObject({ WEBHOOK_SECRET_CATALOG: standard });
    const bad = () => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, WEBHOOK_SECRET_REVIEWS: 'not-a-secret-value' });
    expect(bad).toThrow(/WEBHOOK_SECRET_REVIEWS must be a Standard Webhooks secret/);
    expect(bad).not.toThrow(/not-a-secret-value/);
  });

  it('finds an OpenSearch collection by name instead of an endpoint, but not both', () => {
    const byName = { CONTROL_TOKEN, VECTOR_INDEX: 'opensearch', OPENSEARCH_COLLECTION: 'manga-assist-catalog' };
    expect(loadConfig(gatewayConfigSchema, byName)).toMatchObject({ OPENSEARCH_COLLECTION: 'manga-assist-catalog', OPENSEARCH_COLLECTION_POLL_MS: 10_000 });
    expect(() => loadConfig(gatewayConfigSchema, { ...byName, OPENSEARCH_ENDPOINT: 'https://abc.ap-northeast-1.aoss.amazonaws.com' })).toThrow(
      'OPENSEARCH_COLLECTION names a collection to look up; leave it out when OPENSEARCH_ENDPOINT is given',
    );
    expect(() => loadConfig(gatewayConfigSchema, { ...byName, OPENSEARCH_COLLECTION: 'Manga_Catalog' })).toThrow(/OPENSEARCH_COLLECTION must be a collection name/);
  });

  it('needs the shared control token', () => {
    expect(() => loadConfig(gatewayConfigSchema, {})).toThrow(/CONTROL_TOKEN is required/);
  });
  it('drains for at most 10 s by default, and stops at start on a bad drain or registry setting, naming it', () => {
    const config = loadConfig(gatewayConfigSchema, { CONTROL_TOKEN });
    expect(config).toMatchObject({ DRAIN_TIMEOUT_MS: 10_000, DRAIN_NOT_READY_MS: 2000, RECONNECT_AFTER_MS: 1000, CONNECTION_TTL_MS: 15_000 });
    // Host, process and a random part: a restarted process (pid 1 again in a container) is a new instance.
    expect(config.INSTANCE_ID).toMatch(new RegExp(`^${os.hostname().replace(/[.]/g, '\\.')}-${process.pid}-[0-9a-f]{6}$`));
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, DRAIN_TIMEOUT_MS: 'soon' })).toThrow(/DRAIN_TIMEOUT_MS/);
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, DRAIN_TIMEOUT_MS: '600000' })).toThrow(/DRAIN_TIMEOUT_MS must be at most 120000 ms/);
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, CONNECTION_TTL_MS: '10' })).toThrow(/CONNECTION_TTL_MS must be at least 1000 ms/);
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, INSTANCE_ID: 'has spaces' })).toThrow(/INSTANCE_ID must be 1-100 letters/);
  });
});
