import { mkdtemp, readdir, rm, truncate, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { loadCatalog } from '@manga-assist/catalog';
import { createTestLogger } from '@manga-assist/testing';

import { fixtureCatalog, makeCatalog, makeItem } from '../test/fixtures/catalog-fixture';
import { createHashedNgramEmbedder } from './hashed-ngram-embedder';
import { hnswIndexFiles, loadOrBuildHnswIndex } from './hnsw-index-store';
import { itemEmbeddingText } from './item-text';

describe('loadOrBuildHnswIndex', () => {
  const catalog = fixtureCatalog();
  const embedder = createHashedNgramEmbedder({ dimensions: 64 });
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retrieval-index-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const open = (log = createTestLogger(), over: Partial<Parameters<typeof loadOrBuildHnswIndex>[0]> = {}) =>
    loadOrBuildHnswIndex({ catalog, embedder, dir, log, ...over });

  it('builds on first start and loads the persisted files on the next', async () => {
    const first = await open();
    expect(first.origin.source).toBe('built');
    const files = hnswIndexFiles(dir, catalog.hash, embedder.id);
    expect(first.origin.path).toBe(files.graph);
    expect(path.basename(files.graph)).toBe(`hnsw-${catalog.hash.slice(0, 16)}-hashed-ngram-v1-64.bin`);
    expect((await readdir(dir)).sort()).toEqual([path.basename(files.graph), path.basename(files.sidecar)].sort());

    const log = createTestLogger();
    const second = await open(log);
    expect(second.origin.source).toBe('loaded');
    expect(log.messages()).toEqual(['vector index loaded']);
    const query = embedder.embedSync('進撃の巨人');
    expect(await second.search(query, { k: 3 })).toEqual(await first.search(query, { k: 3 }));
    expect((await second.search(query, { k: 1 }))[0].id).toBe('C91061');
    // Exact scores are computed with the item's own vector, as embedded.
    for (const item of catalog.items) {
      const stored = Array.from(second.exact.vectorOf(item.id)!);
      const expected = embedder.embedSync(itemEmbeddingText(item));
      stored.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
    }
  });

  it('holds int8 rows, not the graph file, once loaded', async () => {
    await open();
    const loaded = await open();
    expect(loaded.origin.source).toBe('loaded');
    const { graph } = hnswIndexFiles(dir, catalog.hash, embedder.id);
    const fileBytes = (await readFile(graph)).length;
    const rows = loaded.exact.rescored!.quantized;
    expect(loaded.exact.matrix).toBeUndefined();
    // Own buffers of exactly the quantized size: no view into the file's bytes.
    expect(rows.codes.buffer.byteLength).toBe(catalog.items.length * embedder.dimensions);
    expect(rows.scales.buffer.byteLength).toBe(catalog.items.length * 4);
    expect(rows.errorNorms.buffer.byteLength).toBe(catalog.items.length * 4);
    expect(loaded.exact.byteLength).toBeLessThan(fileBytes / 4);
  });

  it('scores small candidate sets exactly, as a float brute force over the embedded items does', async () => {
    const full = await loadCatalog();
    const items = full.items.filter((_, i) => i % 97 === 0);
    const sample = makeCatalog(items);
    const big = createHashedNgramEmbedder();
    const built = await open(undefined, { catalog: sample, embedder: big });
    const loaded = await open(undefined, { catalog: sample, embedder: big });
    expect([built.origin.source, loaded.origin.source]).toEqual(['built', 'loaded']);
    const vectors = items.map((item) => big.embedSync(itemEmbeddingText(item)));
    const cosine = (row: number, query: Float32Array) => vectors[row].reduce((sum, x, i) => sum + x * query[i], 0);
    const everyRow = items.map((_, row) => row);
    const thirdRows = everyRow.filter((row) => row % 3 === 0).reverse();
    for (const text of ['進撃の巨人', 'ワンピース', '少女 恋愛', 'ゴルゴ13', items[5].title, items[150].title]) {
      const query = big.embedSync(text);
      for (const k of [1, 5, 50]) {
        for (const rows of [everyRow, thirdRows]) {
          const scoreOf = new Map(rows.map((row) => [items[row].id, cosine(row, query)]));
          const expected = [...scoreOf].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score).slice(0, k);
          for (const index of [built, loaded]) {
            const hits = await index.search(query, { k, candidates: [...scoreOf.keys()] });
            expect(hits).toHaveLength(expected.length);
            expect(new Set(hits.map((h) => h.id)).size).toBe(hits.length);
            hits.forEach((hit, i) => {
              // The score of that rank, and the hit's own score. Ids are not compared rank by rank:
              // hnswlib keeps its own normalized copy of each vector, so items tied in the
              // embedder's output (common in the tail) may differ by ~1e-8 there and swap places.
              expect(Math.abs(hit.score - expected[i].score)).toBeLessThan(1e-6);
              expect(Math.abs(hit.score - scoreOf.get(hit.id)!)).toBeLessThan(1e-6);
            });
          }
        }
      }
    }
  });

  it('loads an index with an item that has nothing to embed, scoring it 0 and never asking the graph for it', async () => {
    const withBlank = makeCatalog([...catalog.items.slice(0, 4), makeItem({ id: 'C00000', title: '？！…' }), ...catalog.items.slice(4)]);
    const built = await open(undefined, { catalog: withBlank });
    const loaded = await open(undefined, { catalog: withBlank });
    expect([built.origin.source, loaded.origin.source]).toEqual(['built', 'loaded']);
    const ids = withBlank.items.map((item) => item.id);
    const query = embedder.embedSync('進撃の巨人');
    for (const index of [built, loaded]) {
      const hits = await index.search(query, { k: 10, candidates: ids });
      expect(hits).toHaveLength(10);
      expect(hits[0].id).toBe('C91061');
      expect(hits.find((hit) => hit.id === 'C00000')?.score).toBe(0);
      expect(Array.from(index.exact.vectorOf('C00000')!)).toEqual(new Array(embedder.dimensions).fill(0));
    }
  });

  it('rebuilds over a corrupted graph file instead of crashing', async () => {
    const { graph } = hnswIndexFiles(dir, catalog.hash, embedder.id);
    await open();
    const bytes = await readFile(graph);
    bytes.fill(0xff, 100, 400); // scribble over links and vectors, keep the size
    await writeFile(graph, bytes);

    const log = createTestLogger();
    const index = await open(log);
    expect(index.origin.source).toBe('built');
    expect(log.entries.find((e) => e.level === 'warn')?.obj).toMatchObject({ reason: 'graph file checksum mismatch' });
    expect((await index.search(embedder.embedSync('ONE PIECE'), { k: 1 }))[0].id).toBe('C87818');
    expect((await open()).origin.source).toBe('loaded');
  });

  it.each([
    ['a truncated graph file', async (files: { graph: string; sidecar: string }) => truncate(files.graph, 50)],
    ['a missing graph file', async (files: { graph: string; sidecar: string }) => rm(files.graph)],
    ['a sidecar that is not JSON', async (files: { graph: string; sidecar: string }) => writeFile(files.sidecar, '{"format":')],
    ['a sidecar of another format', async (files: { graph: string; sidecar: string }) => writeFile(files.sidecar, '{"format":0}')],
  ])('rebuilds over %s', async (_name, damage) => {
    await open();
    await damage(hnswIndexFiles(dir, catalog.hash, embedder.id));
    const log = createTestLogger();
    expect((await open(log)).origin.source).toBe('built');
    expect(log.entries.map((e) => e.level)).toContain('warn');
  });

  it('keys files by catalog and embedder, so neither reuses the other\'s vectors', async () => {
    await open();
    const bigger = createHashedNgramEmbedder({ dimensions: 128 });
    expect((await open(undefined, { embedder: bigger })).origin.source).toBe('built');
    const changed = makeCatalog([...catalog.items, makeItem({ id: 'C99999', title: '新しい作品' })]);
    const rebuilt = await open(undefined, { catalog: changed });
    expect(rebuilt.origin.source).toBe('built');
    expect(rebuilt.size).toBe(catalog.items.length + 1);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('still serves a built index when the directory cannot be written', async () => {
    const blocked = path.join(dir, 'not-a-dir');
    await writeFile(blocked, 'a file where the index directory should be');
    const log = createTestLogger();
    const index = await open(log, { dir: path.join(blocked, 'index') });
    expect(index.origin.source).toBe('built');
    expect(log.entries.filter((e) => e.level === 'warn').map((e) => e.msg)).toEqual(['could not persist the vector index']);
    expect((await index.search(embedder.embedSync('ベルセルク'), { k: 1 }))[0].id).toBe('C90005');
  });

  it('refuses an embedder id that cannot be part of a file name', () => {
    expect(() => hnswIndexFiles(dir, catalog.hash, '../evil')).toThrow('cannot be part of a file name');
  });
});
