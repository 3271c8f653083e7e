import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import type { CatalogItem } from './catalog-item.schema';
import { CATALOG_RELATIVE_PATH, CatalogLoadError, catalogHash, defaultCatalogPath, loadCatalog } from './load-catalog';

const item = (id: string, title: string): CatalogItem => ({
  id,
  madbIds: [id],
  title,
  titleKana: null,
  titleReading: null,
  creator: '尾田栄一郎',
  creatorKana: 'オダエイイチロウ',
  originalWorkCreator: null,
  originalWorkCreatorKana: null,
  firstPublished: '1997-08-04',
  demographic: null,
  genre: null,
  category: 'manga',
  language: 'ja',
  madbUri: `https://mediaarts-db.artmuseums.go.jp/id/${id}`,
  synthetic: { priceJpy: 528, stock: 12, weeklySales: 40, volumes: 3, nextVolumeDate: null },
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'catalog-load-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function writeCatalog(lines: string[]): string {
  fileCount += 1;
  const file = path.join(dir, `catalog-${fileCount}.jsonl.gz`);
  writeFileSync(file, gzipSync(lines.map((line) => `${line}\n`).join('')));
  return file;
}

const good = [item('C1', 'ひとつめ'), item('C2', 'ふたつめ'), item('C3', 'みっつめ')].map((i) => JSON.stringify(i));

describe('loadCatalog', () => {
  it('loads every line, indexes by id and hashes the file bytes', async () => {
    const file = writeCatalog(good);
    const catalog = await loadCatalog(file);
    expect(catalog.items.map((i) => i.title)).toEqual(['ひとつめ', 'ふたつめ', 'みっつめ']);
    expect(catalog.byId.get('C2')?.title).toBe('ふたつめ');
    const sha = createHash('sha256').update(gzipSync(good.map((l) => `${l}\n`).join(''))).digest('hex');
    expect(catalog.hash).toBe(sha);
    expect(await catalogHash(file)).toBe(sha);
  });

  it('names the line that is not JSON', async () => {
    const file = writeCatalog([good[0], '{"id":"C2","title":', good[2]]);
    const error = await loadCatalog(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatalogLoadError);
    expect((error as CatalogLoadError).lineNumber).toBe(2);
    expect((error as CatalogLoadError).message).toContain(`${file}:2: not valid JSON`);
  });

  it('names the line that breaks the schema, and the field', async () => {
    const tooExpensive = { ...item('C3', 'みっつめ'), synthetic: { ...item('C3', '').synthetic, priceJpy: 5000 } };
    const file = writeCatalog([good[0], good[1], JSON.stringify(tooExpensive)]);
    await expect(loadCatalog(file)).rejects.toThrow(/:3: not a catalog item: synthetic\.priceJpy/);
  });

  it('rejects unknown keys, so the file and the schema cannot drift apart silently', async () => {
    const file = writeCatalog([JSON.stringify({ ...item('C1', 'x'), synopsis: 'invented' })]);
    await expect(loadCatalog(file)).rejects.toThrow(/:1: not a catalog item/);
  });

  it('rejects duplicate ids and blank lines', async () => {
    await expect(loadCatalog(writeCatalog([good[0], good[0]]))).rejects.toThrow(/:2: duplicate id C1/);
    await expect(loadCatalog(writeCatalog([good[0], '', good[1]]))).rejects.toThrow(/:2: empty line/);
  });

  it('reports a truncated gzip file', async () => {
    const whole = gzipSync(good.join('\n'));
    const file = path.join(dir, 'truncated.jsonl.gz');
    writeFileSync(file, whole.subarray(0, whole.length - 10));
    const error = await loadCatalog(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatalogLoadError);
    expect((error as CatalogLoadError).lineNumber).toBeNull();
  });

  it('reports a missing file', async () => {
    await expect(loadCatalog(path.join(dir, 'missing.jsonl.gz'))).rejects.toThrow(/cannot read catalog/);
  });
});

describe('defaultCatalogPath', () => {
  it('walks up from the start directory to the nearest data/catalog', () => {
    const root = path.join(dir, 'repo');
    const deep = path.join(root, 'dist', 'apps', 'chat-gateway');
    mkdirSync(deep, { recursive: true });
    mkdirSync(path.join(root, 'data', 'catalog'), { recursive: true });
    writeFileSync(path.join(root, CATALOG_RELATIVE_PATH), '');
    expect(defaultCatalogPath(deep)).toBe(path.join(root, CATALOG_RELATIVE_PATH));
  });

  it('says how to build the catalog when there is none', () => {
    expect(() => defaultCatalogPath(dir)).toThrow(/npm run catalog:build/);
  });

  it('finds the shipped catalog from the library sources', () => {
    expect(defaultCatalogPath()).toBe(path.resolve(__dirname, '../../..', CATALOG_RELATIVE_PATH));
  });
});
