// Loading the catalog into an OpenSearch Serverless index through the real client (SigV4, aoss)
// against a local endpoint that answers as the service does and records what it was sent.
import type { ServerResponse } from 'node:http';
import { startTestServer } from '@manga-assist/testing';
import type { RecordedRequest, TestServer } from '@manga-assist/testing';

import { createHashedNgramEmbedder, createOpenSearchClient, indexCatalogInOpenSearch } from '../src';
import { fixtureCatalog } from './fixtures/catalog-fixture';

const catalog = fixtureCatalog();
const embedder = createHashedNgramEmbedder({ dimensions: 64 });

interface FakeCollection {
  server: TestServer;
  indexes: Set<string>;
  /** Bulk lines whose document should be refused, by product id. */
  refuse: Set<string>;
}

async function startFakeCollection(): Promise<FakeCollection> {
  const indexes = new Set<string>();
  const refuse = new Set<string>();
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = await startTestServer((req: RecordedRequest, res): void => {
    const path = req.url.split('?')[0]!;
    if (path === '/_bulk') {
      const lines = req.body.split('\n').filter((line) => line !== '');
      const items = [];
      for (let i = 0; i < lines.length; i += 2) {
        const doc = JSON.parse(lines[i + 1]!) as { id: string };
        items.push(refuse.has(doc.id) ? { index: { status: 400, error: { type: 'mapper_parsing_exception', reason: `bad document ${doc.id}` } } } : { index: { status: 201, _id: `gen-${i}` } });
      }
      return json(res, 200, { took: 1, errors: items.some((item) => item.index.status >= 300), items });
    }
    const index = decodeURIComponent(path.slice(1));
    if (req.method === 'HEAD') {
      res.writeHead(indexes.has(index) ? 200 : 404);
      res.end();
      return;
    }
    if (req.method === 'PUT') {
      indexes.add(index);
      return json(res, 200, { acknowledged: true, index });
    }
    if (req.method === 'DELETE') {
      indexes.delete(index);
      return json(res, 200, { acknowledged: true });
    }
    return json(res, 404, { error: `unexpected ${req.method} ${req.url}` });
  });
  return { server, indexes, refuse };
}

describe('indexCatalogInOpenSearch against a local endpoint', () => {
  let fake: FakeCollection;
  const client = () =>
    createOpenSearchClient({ node: fake.server.url, region: 'ap-northeast-1', getCredentials: async () => ({ accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' }) });

  beforeEach(async () => {
    fake = await startFakeCollection();
  });
  afterEach(async () => {
    await fake.server.close();
  });

  it('creates the index at the embedder size and loads every work, in signed bulk requests without document ids', async () => {
    const result = await indexCatalogInOpenSearch({ client: client(), index: 'manga-products-v1', catalog, embedder, batchSize: 4 });
    expect(result).toEqual({ indexed: catalog.items.length, failed: 0 });

    const create = fake.server.requests.find((r) => r.method === 'PUT')!;
    expect(create.url).toBe('/manga-products-v1');
    const mapping = JSON.parse(create.body) as { mappings: { properties: Record<string, { type: string; dimension?: number }> } };
    expect(mapping.mappings.properties['embedding']).toMatchObject({ type: 'knn_vector', dimension: 64 });

    const bulks = fake.server.requests.filter((r) => r.url.startsWith('/_bulk'));
    expect(bulks).toHaveLength(Math.ceil(catalog.items.length / 4));
    for (const bulk of bulks) expect(bulk.headers['authorization']).toMatch(/\/ap-northeast-1\/aoss\/aws4_request/);
    const lines = bulks.flatMap((b) => b.body.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>));
    const actions = lines.filter((_, i) => i % 2 === 0);
    const docs = lines.filter((_, i) => i % 2 === 1) as Array<Record<string, unknown> & { id: string; embedding: number[] }>;
    expect(actions.every((a) => JSON.stringify(a) === JSON.stringify({ index: { _index: 'manga-products-v1' } }))).toBe(true);
    expect(docs.map((d) => d.id)).toEqual(catalog.items.map((item) => item.id));

    // Each document has what the queries read and filter on, and its vector.
    const first = catalog.items[0]!;
    expect(docs[0]).toMatchObject({
      id: first.id,
      title: first.title,
      creator: first.creator,
      priceJpy: first.synthetic.priceJpy,
      inStock: first.synthetic.stock > 0,
      demographic: first.demographic,
      category: first.category,
      language: first.language,
      genre: first.genre,
    });
    expect(docs[0]!.embedding).toHaveLength(64);
    expect(docs[0]!.embedding).toEqual(Array.from(embedder.embedSync([first.title, first.titleReading, first.creator, first.creatorKana, first.demographic].filter(Boolean).join(' '))));
  });

  it('refuses an existing index unless told to recreate it', async () => {
    fake.indexes.add('manga-products-v1');
    await expect(indexCatalogInOpenSearch({ client: client(), index: 'manga-products-v1', catalog, embedder })).rejects.toThrow(
      'index "manga-products-v1" already exists',
    );
    expect(fake.server.requests.some((r) => r.url.startsWith('/_bulk'))).toBe(false);

    const result = await indexCatalogInOpenSearch({ client: client(), index: 'manga-products-v1', catalog, embedder, recreate: true });
    expect(result.indexed).toBe(catalog.items.length);
    const methods = fake.server.requests.map((r) => r.method);
    expect(methods).toContain('DELETE');
    expect(methods.indexOf('DELETE')).toBeLessThan(methods.indexOf('PUT'));
  });

  it('counts the documents the collection refused and reports the first reason', async () => {
    fake.refuse.add(catalog.items[1]!.id);
    const result = await indexCatalogInOpenSearch({ client: client(), index: 'manga-products-v2', catalog, embedder });
    expect(result).toEqual({ indexed: catalog.items.length - 1, failed: 1, firstError: `mapper_parsing_exception: bad document ${catalog.items[1]!.id}` });
  });
});
