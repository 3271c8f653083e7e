// A publisher's catalog update applied to a running retriever: the new work is found by its title
// and by search at once, a changed work is found by its new title only, and lists see new numbers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createTestLogger } from '@manga-assist/testing';

import { fixtureCatalog, makeItem } from '../test/fixtures/catalog-fixture';
import { createHashedNgramEmbedder } from './hashed-ngram-embedder';
import { loadOrBuildHnswIndex } from './hnsw-index-store';
import { createProductRetriever } from './product-retriever';
import { createTitleLookup } from './title-lookup';

const embedder = createHashedNgramEmbedder();

describe('catalog updates on a running retriever (HNSW base + overlay)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'upsert-index-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('finds a new work by title and by search, and a renamed work only by its new title', async () => {
    const catalog = fixtureCatalog();
    const index = await loadOrBuildHnswIndex({ catalog, embedder, dir, log: createTestLogger() });
    const retriever = createProductRetriever({ catalog, embedder, index });
    const renamed = catalog.items[0]!;
    expect(retriever.lookupTitles('星屑ランデブー急行の新刊')).toEqual([]);

    const base = makeItem({ id: 'C99990', title: '星屑ランデブー急行', titleReading: 'ホシクズランデブーキュウコウ' });
    const added = { ...base, synthetic: { ...base.synthetic, stock: 5 } };
    const result = await retriever.upsert([added, { ...renamed, title: '月面コロッケ探偵団', titleReading: 'ゲツメンコロッケタンテイダン' }]);

    expect(result).toEqual({ added: 1, changed: 1 });
    expect(retriever.lookupTitles('星屑ランデブー急行の新刊').map((item) => item.id)).toEqual(['C99990']);
    expect(retriever.lookupTitles('月面コロッケ探偵団ありますか').map((item) => item.id)).toEqual([renamed.id]);
    expect(retriever.lookupTitles(`${renamed.title}ありますか`).map((item) => item.id)).not.toContain(renamed.id);
    const { products } = await retriever.search('星屑ランデブー急行', {}, 3);
    expect(products[0]).toMatchObject({ id: 'C99990', title: '星屑ランデブー急行' });
    // Filtered searches (exact candidates) see the new work too.
    const inStock = await retriever.search('星屑ランデブー急行', { inStock: true }, 3);
    expect(inStock.products[0]?.id).toBe('C99990');
    expect(retriever.byIds(['C99990'])).toHaveLength(1);
  });

  it('ranks an updated best seller first in the sales list', async () => {
    const catalog = fixtureCatalog();
    const index = await loadOrBuildHnswIndex({ catalog, embedder, dir, log: createTestLogger() });
    const retriever = createProductRetriever({ catalog, embedder, index });
    const last = catalog.items[catalog.items.length - 1]!;
    await retriever.upsert([{ ...last, synthetic: { ...last.synthetic, weeklySales: 20_000, stock: 10 } }]);
    expect(retriever.trending(1)[0]?.id).toBe(last.id);
    expect(retriever.trending(catalog.items.length).filter((p) => p.id === last.id)).toHaveLength(1);

    const first = catalog.items[0]!;
    await retriever.upsert([{ ...first, synthetic: { ...first.synthetic, nextVolumeDate: '2000-01-01' } }]);
    const releases = retriever.newReleases(catalog.items.length).map((p) => p.id);
    expect(releases[0]).toBe(first.id);
    expect(new Set(releases).size).toBe(releases.length);
  });
});

describe('createTitleLookup upsert', () => {
  it('drops the keys of the replaced version and keeps other works sharing a key', () => {
    const a = makeItem({ id: 'C99991', title: '銀河鉄道の朝', titleReading: 'ギンガテツドウノアサ' });
    const b = makeItem({ id: 'C99992', title: '銀河鉄道の朝', titleReading: 'ギンガテツドウノアサ' });
    const lookup = createTitleLookup([a, b]);
    lookup.upsert([{ ...a, title: '銀河鉄道の夜更け', titleReading: 'ギンガテツドウノヨフケ' }]);
    expect(lookup.find('銀河鉄道の朝').map((item) => item.id)).toEqual(['C99992']);
    expect(lookup.find('銀河鉄道の夜更け').map((item) => item.id)).toEqual(['C99991']);
  });
});
