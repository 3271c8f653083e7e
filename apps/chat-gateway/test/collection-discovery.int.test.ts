// A gateway given OPENSEARCH_COLLECTION (a name) instead of an endpoint: it asks the OpenSearch
// Serverless control plane (a stand-in answering as the service does, through the real SDK) and
// stays not ready while the collection is being created; once it is ACTIVE the gateway is ready
// and answers from the collection at the endpoint the service reported.
import type { ServerFrame } from '@manga-assist/contracts';
import { ChatClient, startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import { startOpenSearchServerlessStandIn, startTestServer, waitFor } from '@manga-assist/testing';
import type { OpenSearchServerlessStandIn, TestServer } from '@manga-assist/testing';

jest.setTimeout(120_000);

// Not in the local catalog: an answer naming it can only come from the collection.
const COLLECTION_ONLY = { id: 'OS-0002', title: '発見されたコレクションの漫画', creator: '検索 花子', priceJpy: 700, inStock: true, demographic: 'shonen', nextVolumeDate: null };

describe('chat gateway with OPENSEARCH_COLLECTION', () => {
  let opensearch: TestServer;
  let control: OpenSearchServerlessStandIn;
  let system: TestSystem;

  beforeAll(async () => {
    opensearch = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ took: 1, timed_out: false, hits: { total: { value: 1, relation: 'eq' }, hits: [{ _index: 'manga-products', _id: COLLECTION_ONLY.id, _score: 0.9, _source: COLLECTION_ONLY }] } }));
    });
    control = await startOpenSearchServerlessStandIn({ collections: [{ name: 'manga-assist-catalog', status: 'CREATING', endpoint: opensearch.url }] });
    system = await startTestSystem({
      apps: ['chat-gateway'],
      waitReady: false,
      env: {
        VECTOR_INDEX: 'opensearch',
        OPENSEARCH_COLLECTION: 'manga-assist-catalog',
        OPENSEARCH_COLLECTION_POLL_MS: '200',
        OPENSEARCH_SERVERLESS_ENDPOINT: control.url,
      },
    });
  });
  afterAll(async () => {
    await system?.stop();
    await control?.close();
    await opensearch?.close();
  });

  it('stays not ready while the collection is CREATING, then answers from it once ACTIVE', async () => {
    const url = system.urls['chat-gateway']!;
    const readyz = () => fetch(`${url}/readyz`).then((r) => r.status, () => 0);
    // Up and asking: the control plane has been asked a few times, and readiness still says no.
    await waitFor(() => control.requests.length >= 3, { timeoutMs: 60_000, description: 'the gateway asking about the collection' });
    expect(await readyz()).toBe(503);
    expect(opensearch.requests).toHaveLength(0);

    control.setCollection({ name: 'manga-assist-catalog', status: 'ACTIVE' });
    await waitFor(async () => (await readyz()) === 200, { timeoutMs: 30_000, intervalMs: 100, description: 'the gateway ready once the collection is ACTIVE' });

    const client = await ChatClient.connect(`${url.replace('http', 'ws')}/ws`, { token: await system.token('u-collection') });
    try {
      const frames: ServerFrame[] = await client.ask('recommend a shonen manga under 1000 yen');
      const text = frames.flatMap((f) => (f.type === 'token' ? [f.text] : [])).join('');
      expect(text).toContain(COLLECTION_ONLY.title);
    } finally {
      client.close();
    }
    expect(JSON.parse(control.requests[0]!.body)).toEqual({ names: ['manga-assist-catalog'] });
  });
});
