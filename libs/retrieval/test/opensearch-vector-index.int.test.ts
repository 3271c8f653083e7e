import { createConnectionPool } from '@manga-assist/pools';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ProductFilters } from '@manga-assist/contracts';
import { createTestLogger } from '@manga-assist/testing';

import { createHashedNgramEmbedder, createOpenSearchClient, createProductRetriever, OpenSearchVectorIndex } from '../src';
import { fixtureCatalog } from './fixtures/catalog-fixture';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
}

const SOURCE_FIELDS = ['id', 'title', 'creator', 'priceJpy', 'inStock', 'demographic', 'nextVolumeDate'];

// Canned hits as an OpenSearch Serverless collection returns them (faiss cosinesimil: (1 + cos) / 2).
const cannedHits = [
  {
    _index: 'products',
    _id: 'C91061',
    _score: 0.9,
    _source: { id: 'C91061', title: '進撃の巨人', creator: '諫山創', priceJpy: 528, inStock: true, demographic: 'shonen', nextVolumeDate: '2026-11-20' },
  },
  { _index: 'products', _id: 'broken', _score: 0.8, _source: { id: 'broken', title: 'no price' } },
  {
    _index: 'products',
    _id: 'C87818',
    _score: 0.6,
    _source: { id: 'C87818', title: 'ONE PIECE', creator: '尾田栄一郎', priceJpy: 594, inStock: true, demographic: 'shonen', nextVolumeDate: null },
  },
];

describe('OpenSearchVectorIndex against a local endpoint', () => {
  let server: Server;
  let node: string;
  const received: Received[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ took: 3, timed_out: false, hits: { total: { value: 3, relation: 'eq' }, max_score: 0.9, hits: cannedHits } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    node = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received.length = 0;
  });

  const makeIndex = (log = createTestLogger()) =>
    new OpenSearchVectorIndex({
      client: createOpenSearchClient({
        node,
        region: 'ap-northeast-1',
        getCredentials: async () => ({ accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret', sessionToken: 'local-session' }),
      }),
      index: 'products',
      log,
    });

  it('sends its requests through the search pool when given one, reusing the socket', async () => {
    const pool = createConnectionPool({ name: 'search' });
    try {
      const index = new OpenSearchVectorIndex({
        client: createOpenSearchClient({
          node,
          region: 'ap-northeast-1',
          getCredentials: async () => ({ accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' }),
          pool,
        }),
        index: 'products',
        log: createTestLogger(),
      });
      for (let i = 0; i < 3; i++) await index.search(Float32Array.from([0.6, 0.8, 0]), { k: 3, filters: {}, filter: () => true });
      expect(received).toHaveLength(3);
      expect(pool.stats()).toMatchObject({ active: 0, idle: 1 });
    } finally {
      pool.destroy();
    }
  });

  it('sends a SigV4-signed (aoss) efficient-filter k-NN query and maps hits to products', async () => {
    const log = createTestLogger();
    const vector = Float32Array.from([0.6, 0.8, 0]);
    const filters: ProductFilters = { inStock: true, maxPriceJpy: 800, minPriceJpy: 500, demographic: 'shonen', upcomingRelease: true };
    const hits = await makeIndex(log).search(vector, { k: 3, filters, filter: () => false });

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/products/_search');
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST\/\d{8}\/ap-northeast-1\/aoss\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
    expect(request.headers.authorization).toContain('x-amz-content-sha256');
    expect(request.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(request.raw).digest('hex'));
    expect(request.headers['x-amz-security-token']).toBe('local-session');
    expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);

    const body = JSON.parse(request.raw);
    expect(body.size).toBe(3);
    expect(body._source).toEqual(SOURCE_FIELDS);
    // The filter lives inside the knn clause (pre-filtering), and the query has nothing else.
    expect(Object.keys(body.query)).toEqual(['knn']);
    const knn = body.query.knn.embedding;
    expect(knn.k).toBe(3);
    expect(knn.vector).toHaveLength(3);
    knn.vector.forEach((x: number, i: number) => expect(x).toBeCloseTo(vector[i], 6));
    expect(knn.filter).toEqual({
      bool: {
        filter: [
          { term: { inStock: true } },
          { range: { priceJpy: { gte: 500, lte: 800 } } },
          { term: { demographic: 'shonen' } },
          { exists: { field: 'nextVolumeDate' } },
        ],
      },
    });

    expect(hits.map((hit) => hit.id)).toEqual(['C91061', 'C87818']);
    expect(hits[0].score).toBeCloseTo(0.8, 6);
    expect(hits[1].score).toBeCloseTo(0.2, 6);
    expect(hits[0].product).toEqual(cannedHits[0]._source);
    expect(log.entries).toEqual([expect.objectContaining({ level: 'warn', obj: { index: 'products', id: 'broken' } })]);
  });

  it('omits the filter when there are no filters', async () => {
    await makeIndex().search(Float32Array.from([1, 0, 0]), { k: 5 });
    expect(JSON.parse(received[0].raw).query).toEqual({ knn: { embedding: { vector: [1, 0, 0], k: 5 } } });
  });

  it('serves the product retriever: filters from ProductFilters, products from the hits', async () => {
    const retriever = createProductRetriever({ catalog: fixtureCatalog(), embedder: createHashedNgramEmbedder(), index: makeIndex() });
    const result = await retriever.search('進撃の巨人', { inStock: true, maxPriceJpy: 600 }, 2);
    expect(result.products.map((p) => p.title)).toEqual(['進撃の巨人', 'ONE PIECE']);
    const body = JSON.parse(received[0].raw);
    expect(body.size).toBe(2);
    expect(body.query.knn.embedding.vector).toHaveLength(384);
    expect(body.query.knn.embedding.filter.bool.filter).toEqual([{ term: { inStock: true } }, { range: { priceJpy: { lte: 600 } } }]);
  });
});
