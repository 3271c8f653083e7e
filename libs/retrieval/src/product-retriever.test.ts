import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ProductSummarySchema } from '@manga-assist/contracts';
import type { ProductFilters } from '@manga-assist/contracts';
import { createTestLogger } from '@manga-assist/testing';

import { fixtureCatalog } from '../test/fixtures/catalog-fixture';
import type { Embedder } from './embedder';
import { ExactVectorIndex } from './exact-vector-index';
import { createHashedNgramEmbedder } from './hashed-ngram-embedder';
import { loadOrBuildHnswIndex } from './hnsw-index-store';
import { itemEmbeddingText } from './item-text';
import { createProductRetriever } from './product-retriever';
import type { ProductRetriever } from './product-retriever';
import type { VectorIndex, VectorSearchOptions } from './vector-index';

const catalog = fixtureCatalog();
const embedder = createHashedNgramEmbedder();

function exactIndex(): ExactVectorIndex {
  return ExactVectorIndex.fromVectors(
    catalog.items.map((item) => item.id),
    catalog.items.map((item) => embedder.embedSync(itemEmbeddingText(item))),
    embedder.dimensions,
  );
}

describe('createProductRetriever', () => {
  let dir: string;
  const retrievers: [string, () => Promise<ProductRetriever>][] = [
    ['exact index', async () => createProductRetriever({ catalog, embedder, index: exactIndex() })],
    [
      'HNSW index',
      async () =>
        createProductRetriever({
          catalog,
          embedder,
          index: await loadOrBuildHnswIndex({ catalog, embedder, dir, log: createTestLogger() }),
        }),
    ],
  ];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retrieval-retriever-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe.each(retrievers)('over the %s', (_name, make) => {
    let retriever: ProductRetriever;
    beforeAll(async () => {
      retriever = await make();
    });

    it('ranks the named work first, by title or by reading', async () => {
      for (const query of ['進撃の巨人', 'しんげきのきょじん', 'シンゲキノキョジン']) {
        const { products, scores } = await retriever.search(query, {});
        expect(products[0].title).toBe('進撃の巨人');
        expect(scores[0]).toBeGreaterThan(scores[1]);
      }
      expect((await retriever.search('one piece', {})).products[0].title).toBe('ONE PIECE');
    });

    it('returns k products with only the summary fields', async () => {
      const { products, scores } = await retriever.search('漫画', {}, 4);
      expect(products).toHaveLength(4);
      expect(scores).toHaveLength(4);
      for (const product of products) expect(Object.keys(ProductSummarySchema.strict().parse(product)).sort()).toEqual(Object.keys(product).sort());
    });

    it.each<[string, ProductFilters, (p: { priceJpy: number; inStock: boolean; demographic: string | null; nextVolumeDate: string | null }) => boolean]>([
      ['under a price', { maxPriceJpy: 500 }, (p) => p.priceJpy <= 500],
      ['in stock', { inStock: true }, (p) => p.inStock],
      ['a demographic', { demographic: 'shonen' }, (p) => p.demographic === 'shonen'],
      ['an upcoming volume', { upcomingRelease: true }, (p) => p.nextVolumeDate !== null],
    ])('honors a filter on %s', async (_label, filters, holds) => {
      const { products } = await retriever.search('スラムダンク', filters, 3);
      expect(products.length).toBeGreaterThan(0);
      expect(products.every(holds)).toBe(true);
    });

    it('returns every admitted product when fewer than k pass the filter, and none when nothing does', async () => {
      expect((await retriever.search('漫画', { demographic: 'seinen' }, 5)).products.map((p) => p.title)).toEqual(['ベルセルク']);
      expect((await retriever.search('漫画', { language: 'en' }, 5)).products).toEqual([]);
    });

    it('answers a query with no text by best sellers that pass the filters', async () => {
      const { products, scores } = await retriever.search('？？', { inStock: true }, 2);
      expect(products.map((p) => p.title)).toEqual(['ONE PIECE', '進撃の巨人']);
      expect(scores).toEqual([0, 0]);
    });

    it('rejects a k outside 1..100', async () => {
      await expect(retriever.search('x', {}, 0)).rejects.toThrow('k must be an integer in 1..100, got 0');
    });
  });

  it('passes the declarative filters, the predicate and a small candidate list to the index', async () => {
    const seen: VectorSearchOptions[] = [];
    const recording: VectorIndex = {
      kind: 'recording',
      search: async (_vector, options) => {
        seen.push(options);
        return [{ id: 'C90005', score: 0.5 }];
      },
    };
    const retriever = createProductRetriever({ catalog, embedder, index: recording, exactScanLimit: 2 });
    await retriever.search('ベルセルク', { demographic: 'seinen', inStock: true }, 3);
    await retriever.search('ベルセルク', { inStock: true }, 3);
    await retriever.search('ベルセルク', {}, 3);
    expect(seen[0]).toMatchObject({ k: 3, filters: { demographic: 'seinen', inStock: true }, candidates: ['C90005'], admittedCount: 1 });
    expect(seen[0].filter?.('C90005')).toBe(true);
    expect(seen[0].filter?.('C91061')).toBe(false);
    expect(seen[1]).toMatchObject({ admittedCount: 9 });
    expect(seen[1].candidates).toBeUndefined(); // 9 in stock, over the limit of 2
    expect(seen[2]).toEqual({ k: 3 });
  });

  it('uses the product fields an index returns instead of the local catalog', async () => {
    const remote: VectorIndex = {
      kind: 'remote',
      search: async () => [
        { id: 'X1', score: 0.9, product: { id: 'X1', title: '遠くの本', creator: null, priceJpy: 500, inStock: true, demographic: null, nextVolumeDate: null } },
        { id: 'unknown', score: 0.1 },
      ],
    };
    const result = await createProductRetriever({ catalog, embedder, index: remote }).search('本', {});
    expect(result).toEqual({ products: [expect.objectContaining({ id: 'X1', title: '遠くの本' })], scores: [0.9] });
  });

  it('embeds through embed() when the embedder has no synchronous path', async () => {
    const calls: string[][] = [];
    const asyncOnly: Embedder = {
      id: 'async-test',
      dimensions: embedder.dimensions,
      embed: async (texts) => {
        calls.push(texts);
        return embedder.embed(texts);
      },
    };
    const retriever = createProductRetriever({ catalog, embedder: asyncOnly, index: exactIndex() });
    expect((await retriever.search('ベルセルク', {})).products[0].title).toBe('ベルセルク');
    expect(calls).toEqual([['ベルセルク']]);
  });

  describe('lists and lookups', () => {
    const retriever = createProductRetriever({ catalog, embedder, index: exactIndex() });

    it('finds named titles in message order', () => {
      expect(retriever.lookupTitles('ONE PIECEと進撃の巨人').map((item) => item.id)).toEqual(['C87818', 'C91061']);
    });

    it('lists trending (in stock), new releases, and best sellers per demographic', () => {
      expect(retriever.trending(3).map((p) => p.title)).toEqual(['ONE PIECE', '進撃の巨人', 'NARUTO-ナルト-']);
      expect(retriever.trending(10).every((p) => p.inStock)).toBe(true);
      expect(retriever.newReleases(2).map((p) => p.nextVolumeDate)).toEqual(['2026-11-04', '2026-11-10']);
      expect(retriever.byDemographic('shonen', 2).map((p) => p.title)).toEqual(['ONE PIECE', '進撃の巨人']);
      expect(retriever.topBySales(1, { maxPriceJpy: 500 })[0].synthetic.weeklySales).toBe(7000);
    });

    it('resolves ids to summaries, skipping unknown ones', () => {
      expect(retriever.byIds(['C90006', 'nope', 'C87818']).map((p) => p.title)).toEqual(['NANA', 'ONE PIECE']);
      expect(retriever.toProductSummary(catalog.byId.get('C91062')!)).toEqual({
        id: 'C91062',
        title: '進撃!巨人中学校',
        creator: '中川沙樹',
        priceJpy: 990,
        inStock: false,
        demographic: null,
        nextVolumeDate: null,
      });
    });
  });
});
