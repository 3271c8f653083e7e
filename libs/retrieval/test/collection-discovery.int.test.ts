// Collection discovery through the real OpenSearch Serverless SDK against a stand-in that answers
// as the service does (AWS JSON 1.0, SigV4 for aoss, unknown names in the error details).
import { createOpenSearchServerlessClient } from '@manga-assist/aws';
import { startOpenSearchServerlessStandIn, waitFor } from '@manga-assist/testing';
import type { OpenSearchServerlessStandIn } from '@manga-assist/testing';
import { loadConfig, searchShape, awsShape, modelShape } from '@manga-assist/config';
import { z } from 'zod';
import { CollectionNotActiveError, createCollectionDiscovery, resolveSearchBackend } from '../src/collection-discovery';

describe('collection discovery (BatchGetCollection, BatchGetVpcEndpoint)', () => {
  let standIn: OpenSearchServerlessStandIn;
  const client = () => createOpenSearchServerlessClient({ region: 'ap-northeast-1', endpoint: standIn.url, maxAttempts: 1 });

  beforeEach(async () => {
    standIn = await startOpenSearchServerlessStandIn({
      collections: [
        { name: 'manga-assist-catalog', status: 'ACTIVE', id: 'abcdefghij0123456789' },
        { name: 'manga-assist-next', status: 'CREATING', id: 'klmnopqrst0123456789' },
      ],
      vpcEndpoints: [{ id: 'vpce-050f79086ee71ac05', status: 'ACTIVE', name: 'manga-assist-aoss' }],
    });
  });
  afterEach(() => standIn.close());

  it("resolves an ACTIVE collection's name to its endpoint", async () => {
    const discovery = createCollectionDiscovery({ client: client() });
    await expect(discovery.activeEndpoint('manga-assist-catalog')).resolves.toBe('https://abcdefghij0123456789.ap-northeast-1.aoss.amazonaws.com');
    // One signed JSON call to the service, naming the collection.
    expect(standIn.requests).toHaveLength(1);
    expect(standIn.requests[0]!.headers['x-amz-target']).toBe('OpenSearchServerless.BatchGetCollection');
    expect(JSON.parse(standIn.requests[0]!.body)).toEqual({ names: ['manga-assist-catalog'] });
  });

  it('refuses a collection that is still being created or does not exist, naming its status', async () => {
    const discovery = createCollectionDiscovery({ client: client() });
    await expect(discovery.activeEndpoint('manga-assist-next')).rejects.toThrow('OpenSearch collection manga-assist-next is CREATING, not ACTIVE');
    const missing = await discovery.activeEndpoint('no-such-collection').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(CollectionNotActiveError);
    expect(missing).toMatchObject({ collection: 'no-such-collection', status: 'NOT_FOUND' });
  });

  it('reports each collection and VPC endpoint in the order asked, unknown ones as NOT_FOUND', async () => {
    const discovery = createCollectionDiscovery({ client: client() });
    const collections = await discovery.collections(['manga-assist-next', 'gone', 'manga-assist-catalog']);
    expect(collections.map((c) => [c.name, c.status])).toEqual([
      ['manga-assist-next', 'CREATING'],
      ['gone', 'NOT_FOUND'],
      ['manga-assist-catalog', 'ACTIVE'],
    ]);
    expect(collections[1]!.error).toBe('NOT_FOUND: The specified collection was not found');
    const endpoints = await discovery.vpcEndpoints(['vpce-050f79086ee71ac05', 'vpce-0000000000000000f']);
    expect(endpoints.map((e) => [e.id, e.status])).toEqual([
      ['vpce-050f79086ee71ac05', 'ACTIVE'],
      ['vpce-0000000000000000f', 'NOT_FOUND'],
    ]);
    expect(standIn.requests.map((r) => r.headers['x-amz-target'])).toEqual(['OpenSearchServerless.BatchGetCollection', 'OpenSearchServerless.BatchGetVpcEndpoint']);
  });

  it('waits for a collection named by OPENSEARCH_COLLECTION to turn ACTIVE, then searches at its endpoint', async () => {
    const env = loadConfig(z.object({ ...awsShape, ...modelShape, ...searchShape }), {
      VECTOR_INDEX: 'opensearch',
      OPENSEARCH_COLLECTION: 'manga-assist-next',
      OPENSEARCH_COLLECTION_POLL_MS: '50',
      OPENSEARCH_SERVERLESS_ENDPOINT: standIn.url,
    });
    const warnings: string[] = [];
    const log = { info: () => undefined, warn: (_fields: object, message?: string) => void warnings.push(message ?? '') };
    let backend: unknown;
    const resolving = resolveSearchBackend(env, { log }).then((b) => (backend = b));
    await waitFor(() => warnings.length >= 2, { timeoutMs: 5000, description: 'two lookups of the CREATING collection' });
    expect(backend).toBeUndefined();
    expect(warnings[0]).toBe('OpenSearch collection manga-assist-next is CREATING, not ACTIVE; search waits for it');
    standIn.setCollection({ name: 'manga-assist-next', status: 'ACTIVE' });
    await resolving;
    expect(backend).toMatchObject({ kind: 'opensearch', endpoint: 'https://klmnopqrst0123456789.ap-northeast-1.aoss.amazonaws.com', index: 'manga-products' });
  });

  it('stops waiting when the app shuts down', async () => {
    const env = loadConfig(z.object({ ...awsShape, ...modelShape, ...searchShape }), {
      VECTOR_INDEX: 'opensearch',
      OPENSEARCH_COLLECTION: 'manga-assist-next',
      OPENSEARCH_SERVERLESS_ENDPOINT: standIn.url,
    });
    const stop = new AbortController();
    const resolving = resolveSearchBackend(env, { log: { info: () => undefined, warn: () => stop.abort() }, signal: stop.signal });
    await expect(resolving).rejects.toMatchObject({ name: 'AbortError' });
  });

  it("surfaces the service's errors as the SDK's typed exceptions", async () => {
    const discovery = createCollectionDiscovery({ client: client() });
    standIn.failNext(1);
    await expect(discovery.collections(['manga-assist-catalog'])).rejects.toMatchObject({ name: 'InternalServerException' });
    await expect(discovery.collections(['manga-assist-catalog'])).resolves.toHaveLength(1);
  });
});
