// The gateway with its production search: products from an OpenSearch Serverless collection (SigV4,
// service aoss), questions embedded by Titan on Bedrock. Both are local endpoints here that answer
// as the services do and record what the gateway sent; the gateway and the SDKs are the real ones.
import type { DoneFrame, ServerFrame } from '@manga-assist/contracts';
import { ChatClient, startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import { startTestServer } from '@manga-assist/testing';
import type { TestServer } from '@manga-assist/testing';

jest.setTimeout(120_000);

// A work the local catalog does not have: an answer naming it can only come from the collection.
const COLLECTION_ONLY = {
  id: 'OS-0001',
  title: 'コレクションだけの漫画',
  creator: '検索 太郎',
  priceJpy: 880,
  inStock: true,
  demographic: 'shonen',
  nextVolumeDate: null,
};

const tokens = (frames: ServerFrame[]) => frames.flatMap((f) => (f.type === 'token' ? [f.text] : [])).join('');

describe('chat gateway with VECTOR_INDEX=opensearch and SEARCH_EMBEDDER=titan', () => {
  let opensearch: TestServer;
  let bedrock: TestServer;
  let system: TestSystem;
  let client: ChatClient;

  beforeAll(async () => {
    opensearch = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // faiss cosinesimil scores are (1 + cos) / 2.
      res.end(JSON.stringify({ took: 2, timed_out: false, hits: { total: { value: 1, relation: 'eq' }, hits: [{ _index: 'products-test', _id: COLLECTION_ONLY.id, _score: 0.95, _source: COLLECTION_ONLY }] } }));
    });
    bedrock = await startTestServer((req, res) => {
      const { inputText, dimensions } = JSON.parse(req.body) as { inputText: string; dimensions: number };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ embedding: Array.from({ length: dimensions }, (_, i) => ((i + inputText.length) % 7) - 3), inputTextTokenCount: inputText.length }));
    });
    system = await startTestSystem({
      apps: ['chat-gateway'],
      env: {
        VECTOR_INDEX: 'opensearch',
        OPENSEARCH_ENDPOINT: opensearch.url,
        OPENSEARCH_INDEX: 'products-test',
        SEARCH_EMBEDDER: 'titan',
        TITAN_EMBED_DIMENSIONS: '256',
        BEDROCK_ENDPOINT: bedrock.url,
      },
    });
    client = await ChatClient.connect(`${system.urls['chat-gateway']!.replace('http', 'ws')}/ws`, { token: await system.token('u-opensearch') });
  });
  afterAll(async () => {
    client?.close();
    await system?.stop();
    await opensearch?.close();
    await bedrock?.close();
  });

  it('answers from the collection, asking it with a signed k-NN query whose filters run server-side', async () => {
    const question = 'recommend a shonen manga under 1000 yen';
    const frames = await client.ask(question);
    const done = frames.find((f): f is DoneFrame => f.type === 'done');
    expect(done).toMatchObject({ cached: false, intent: 'recommendation' });
    expect(tokens(frames)).toContain(COLLECTION_ONLY.title);

    // Titan embedded the question itself, at the configured size.
    const embedded = bedrock.requests.map((r) => JSON.parse(r.body) as { inputText: string; dimensions: number });
    expect(embedded).toContainEqual(expect.objectContaining({ inputText: question, dimensions: 256 }));
    expect(bedrock.requests.at(-1)!.url).toBe('/model/amazon.titan-embed-text-v2%3A0/invoke');

    const search = opensearch.requests.at(-1)!;
    expect(search.method).toBe('POST');
    expect(search.url).toMatch(/^\/products-test\/_search/);
    expect(search.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/ap-northeast-1\/aoss\/aws4_request/);
    const body = JSON.parse(search.body) as { query: { knn: { embedding: { vector: number[]; k: number; filter: { bool: { filter: unknown[] } } } } }; _source: string[] };
    expect(body.query.knn.embedding.vector).toHaveLength(256);
    expect(body.query.knn.embedding.k).toBe(5);
    expect(body.query.knn.embedding.filter.bool.filter).toEqual(
      expect.arrayContaining([{ range: { priceJpy: { lte: 1000 } } }, { term: { demographic: 'shonen' } }]),
    );
    expect(body._source).toEqual(['id', 'title', 'creator', 'priceJpy', 'inStock', 'demographic', 'nextVolumeDate']);
  });
});

describe('a gateway told to search OpenSearch without an endpoint', () => {
  it('stops at start, naming OPENSEARCH_ENDPOINT', async () => {
    const started = startTestSystem({ apps: ['chat-gateway'], env: { VECTOR_INDEX: 'opensearch' }, readyTimeoutMs: 60_000 });
    await expect(started).rejects.toThrow(/chat-gateway exited \(code 78[\s\S]*OPENSEARCH_ENDPOINT or OPENSEARCH_COLLECTION is required when VECTOR_INDEX=opensearch/);
  });
});
