import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createTestLogger } from '@manga-assist/testing';
import type { HierarchicalNSW } from 'hnswlib-node';

import { fixtureCatalog } from '../test/fixtures/catalog-fixture';
import type { ExactVectorIndex } from './exact-vector-index';
import { createHashedNgramEmbedder } from './hashed-ngram-embedder';
import { loadOrBuildHnswIndex } from './hnsw-index-store';
import { HnswVectorIndex } from './hnsw-vector-index';

describe('HnswVectorIndex', () => {
  const catalog = fixtureCatalog();
  const embedder = createHashedNgramEmbedder({ dimensions: 128 });
  let dir: string;
  let index: HnswVectorIndex;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retrieval-hnsw-'));
    index = await loadOrBuildHnswIndex({ catalog, embedder, dir, log: createTestLogger(), exactScanLimit: 0 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const query = () => embedder.embedSync('スラムダンク 井上雄彦');

  it('agrees with exact search on the nearest neighbours', async () => {
    const hits = await index.search(query(), { k: 4 });
    const exact = index.exact.searchSync(query(), { k: 4 });
    expect(hits.map((h) => h.id)).toEqual(exact.map((h) => h.id));
    hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(exact[i].score, 5));
  });

  it('walks the graph with the filter when no small candidate list is given', async () => {
    const inStock = (id: string) => (catalog.byId.get(id)?.synthetic.stock ?? 0) > 0;
    const hits = await index.search(query(), { k: 5, filter: inStock });
    expect(hits).toHaveLength(5);
    expect(hits.every((h) => inStock(h.id))).toBe(true);
  });

  it('post-filters an unfiltered search when most items pass, with the same answer', async () => {
    const inStock = (id: string) => (catalog.byId.get(id)?.synthetic.stock ?? 0) > 0;
    const admittedCount = catalog.items.filter((item) => item.synthetic.stock > 0).length;
    const walked: unknown[] = [];
    const graph = (index as unknown as { graph: HierarchicalNSW }).graph;
    const spy = new HnswVectorIndex(
      new Proxy(graph, {
        get: (target, key) =>
          key === 'searchKnn'
            ? (...args: Parameters<HierarchicalNSW['searchKnn']>) => {
                walked.push(args[2]);
                return target.searchKnn(...args);
              }
            : Reflect.get(target, key).bind(target),
      }),
      index.exact,
      index.origin,
      { exactScanLimit: 0 },
    );
    const hits = await spy.search(query(), { k: 3, filter: inStock, admittedCount });
    expect(walked).toEqual([undefined]); // one search, no filter callback
    expect(hits.map((h) => h.id)).toEqual(index.exact.searchSync(query(), { k: 3, filter: inStock }).map((h) => h.id));
  });

  it('caps k at the number of indexed items and returns nothing for an empty query', async () => {
    expect(await index.search(query(), { k: 50 })).toHaveLength(catalog.items.length);
    expect(await index.search(embedder.embedSync(''), { k: 5 })).toEqual([]);
  });

  it('scores the candidates exactly when the list is small', async () => {
    const small = new HnswVectorIndex(
      // A graph that must not be consulted for a small candidate list.
      { setEf: () => undefined, getCurrentCount: () => catalog.items.length } as unknown as HierarchicalNSW,
      index.exact,
      index.origin,
      { exactScanLimit: 10 },
    );
    const hits = await small.search(query(), { k: 2, candidates: ['C87855', 'C88568', 'C91061'] });
    expect(hits.map((h) => h.id).sort()).toEqual(['C87855', 'C88568']);
  });

  it('falls back to exact scoring when the graph walk finds fewer than k admitted items', async () => {
    const exact: ExactVectorIndex = index.exact;
    const shortWalk = {
      setEf: () => undefined,
      getCurrentCount: () => catalog.items.length,
      searchKnn: () => ({ neighbors: [0], distances: [0.5] }),
    } as unknown as HierarchicalNSW;
    const fallback = new HnswVectorIndex(shortWalk, exact, index.origin, { exactScanLimit: 0 });
    const hits = await fallback.search(query(), { k: 3, filter: () => true });
    expect(hits.map((h) => h.id)).toEqual(exact.searchSync(query(), { k: 3 }).map((h) => h.id));
  });
});
