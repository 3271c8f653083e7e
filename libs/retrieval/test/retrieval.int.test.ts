import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { loadCatalog } from '@manga-assist/catalog';
import type { Catalog } from '@manga-assist/catalog';
import type { ProductFilters, ProductSummary } from '@manga-assist/contracts';
import { createTestLogger } from '@manga-assist/testing';

import { createHashedNgramEmbedder, createProductRetriever, loadOrBuildHnswIndex } from '../src';
import type { HnswVectorIndex, ProductRetriever } from '../src';

// The whole shipped catalog (29k works): one index build (tens of seconds), then a reload.
jest.setTimeout(300_000);

const SHINGEKI = 'C91061';
const ONE_PIECE = 'C87818';

describe('retrieval over the full catalog', () => {
  const embedder = createHashedNgramEmbedder();
  let dir: string;
  let catalog: Catalog;
  let built: HnswVectorIndex;
  let loaded: HnswVectorIndex;
  const reloadLog = createTestLogger();
  let retriever: ProductRetriever;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retrieval-full-'));
    catalog = await loadCatalog();
    built = await loadOrBuildHnswIndex({ catalog, embedder, dir, log: createTestLogger() });
    loaded = await loadOrBuildHnswIndex({ catalog, embedder, dir, log: reloadLog });
    console.info(
      `HNSW index over ${catalog.items.length} works: built in ${Math.round(built.origin.ms)} ms, ` +
        `loaded in ${Math.round(loaded.origin.ms)} ms (${built.origin.path})`,
    );
    retriever = createProductRetriever({ catalog, embedder, index: loaded });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reuses the persisted index on the next start instead of rebuilding it', () => {
    expect(built.origin.source).toBe('built');
    expect(loaded.origin.source).toBe('loaded');
    expect(reloadLog.messages()).toEqual(['vector index loaded']);
    expect(loaded.size).toBe(catalog.items.length);
  });

  it.each(['進撃の巨人', 'しんげきのきょじん', 'シンゲキノキョジン', 'ｼﾝｹﾞｷﾉｷｮｼﾞﾝ'])('ranks 進撃の巨人 first for %s', async (query) => {
    const { products } = await retriever.search(query, {});
    expect(products[0].id).toBe(SHINGEKI);
    expect(products).toHaveLength(5);
  });

  it.each(['ONE PIECE', 'one piece', 'ＯＮＥ　ＰＩＥＣＥ'])('ranks ONE PIECE first for %s', async (query) => {
    expect((await retriever.search(query, {})).products[0].id).toBe(ONE_PIECE);
  });

  it.each(['進撃の巨人', 'しんげきのきょじん', 'シンゲキノキョジン'])('finds 進撃の巨人 named in "%sの新刊はいつ？"', (name) => {
    expect(retriever.lookupTitles(`${name}の新刊はいつ？`).map((item) => item.id)).toEqual([SHINGEKI]);
  });

  it.each(['ONE PIECE', 'one piece', 'ＯＮＥ　ＰＩＥＣＥ'])('finds ONE PIECE named in "%s読みたい"', (name) => {
    expect(retriever.lookupTitles(`${name}読みたい`).map((item) => item.id)).toEqual([ONE_PIECE]);
  });

  it('names titles in the order a message mentions them', () => {
    const titles = retriever.lookupTitles('NARUTOと進撃の巨人とONE PIECEならどれがいい？').map((item) => item.title);
    expect(titles).toEqual(['NARUTO-ナルト-', '進撃の巨人', 'ONE PIECE']);
  });

  it.each([
    'おすすめの漫画を教えてください',
    '1000円以下の少年漫画でおすすめは？',
    '人気のマンガランキングを見せて',
    '在庫ありの少女マンガで800円以下',
    'ファンタジーで冒険する話が好き',
    '最新刊の発売日を知りたい',
    'ありがとうございます！',
    'おすすめおねがいします',
    'What are the best selling manga this week?',
    'Can you help me find a good love story?',
    'thank you so much',
    'where is my order?',
  ])('names no title in an everyday message: %s', (message) => {
    expect(retriever.lookupTitles(message).map((item) => item.title)).toEqual([]);
  });

  const filterCases: [string, ProductFilters, (p: ProductSummary) => boolean][] = [
    ['under 500 yen', { maxPriceJpy: 500 }, (p) => p.priceJpy <= 500],
    ['in stock', { inStock: true }, (p) => p.inStock],
    ['in stock, 600 to 700 yen', { inStock: true, minPriceJpy: 600, maxPriceJpy: 700 }, (p) => p.inStock && p.priceJpy >= 600 && p.priceJpy <= 700],
    ['with a volume coming', { upcomingRelease: true }, (p) => p.nextVolumeDate !== null],
    ['shonen (8 works in the catalog)', { demographic: 'shonen' }, (p) => p.demographic === 'shonen'],
    ['in stock, under 470 yen (a few hundred works)', { inStock: true, maxPriceJpy: 470 }, (p) => p.inStock && p.priceJpy <= 470],
  ];

  it.each(filterCases)('returns k products %s, all passing the filter', async (_label, filters, holds) => {
    const admitted = catalog.items.filter((item) => holds(retriever.toProductSummary(item))).length;
    for (const query of ['進撃の巨人', 'ドラゴンボール', '恋愛 学園', 'one piece']) {
      const { products, scores } = await retriever.search(query, filters, 10);
      expect(products).toHaveLength(Math.min(10, admitted));
      expect(products.every(holds)).toBe(true);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    }
  });

  it('keeps the named work first when it passes the filters', async () => {
    expect((await retriever.search('進撃の巨人', { inStock: true, maxPriceJpy: 600 })).products[0].id).toBe(SHINGEKI);
  });

  it('finds nearly the same neighbours as exact search', async () => {
    const queries = ['進撃の巨人', 'ドラゴンボール', 'スラムダンク', '鳥山明', '恋愛', '野球', '忍者', 'naruto', 'こちら葛飾区亀有公園前派出所', 'ゴルゴ13'];
    let found = 0;
    for (const query of queries) {
      const vector = embedder.embedSync(query);
      const approximate = new Set((await loaded.search(vector, { k: 5 })).map((h) => h.id));
      for (const hit of loaded.exact.searchSync(vector, { k: 5 })) if (approximate.has(hit.id)) found += 1;
    }
    expect(found / (queries.length * 5)).toBeGreaterThanOrEqual(0.9);
  });

  it('lists trending, new releases and best sellers deterministically', () => {
    const trending = retriever.trending(10);
    expect(trending).toHaveLength(10);
    expect(trending.every((p) => p.inStock)).toBe(true);
    expect(retriever.trending(10)).toEqual(trending);
    const sales = retriever.topBySales(10).map((item) => item.synthetic.weeklySales);
    expect([...sales].sort((a, b) => b - a)).toEqual(sales);
    const dates = retriever.newReleases(20).map((p) => p.nextVolumeDate ?? '');
    expect(dates.every((d) => d >= '2026-11-01')).toBe(true);
    expect([...dates].sort()).toEqual(dates);
    expect(retriever.byDemographic('shonen', 20).every((p) => p.demographic === 'shonen')).toBe(true);
  });
});
