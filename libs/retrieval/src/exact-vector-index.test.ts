import { loadCatalog } from '@manga-assist/catalog';

import { ExactVectorIndex } from './exact-vector-index';
import { createHashedNgramEmbedder } from './hashed-ngram-embedder';
import { itemEmbeddingText } from './item-text';
import { QuantizedVectorRows } from './quantized-vector-rows';
import { TopK, normalizeInPlace } from './vector-math';

// Deterministic pseudo-random unit vectors.
function vectors(count: number, dimensions: number, seed = 7): Float32Array[] {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  return Array.from({ length: count }, () => normalizeInPlace(Float32Array.from({ length: dimensions }, next)));
}

describe('ExactVectorIndex', () => {
  const dims = 16;
  const rows = vectors(200, dims);
  const ids = rows.map((_, i) => `id${i}`);
  const index = ExactVectorIndex.fromVectors(ids, rows, dims);
  const query = vectors(1, dims, 99)[0];
  const cosine = (row: number): number => rows[row].reduce((sum, x, i) => sum + x * query[i], 0);
  const bruteForce = (k: number, keep: (row: number) => boolean = () => true) =>
    ids
      .map((id, row) => ({ id, score: cosine(row) }))
      .filter((_, row) => keep(row))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);

  it('returns the k most similar vectors, best first, with cosine scores', async () => {
    const hits = await index.search(query, { k: 5 });
    expect(hits.map((h) => h.id)).toEqual(bruteForce(5).map((h) => h.id));
    hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(bruteForce(5)[i].score, 5));
  });

  it('honors the filter and the candidate list', () => {
    const even = (id: string) => Number(id.slice(2)) % 2 === 0;
    expect(index.searchSync(query, { k: 4, filter: even }).map((h) => h.id)).toEqual(
      bruteForce(4, (row) => row % 2 === 0).map((h) => h.id),
    );
    const candidates = ['id3', 'id10', 'id150', 'unknown'];
    const hits = index.searchSync(query, { k: 10, candidates });
    expect(hits.map((h) => h.id).sort()).toEqual(['id10', 'id150', 'id3']);
  });

  it('refuses a matrix that does not fit its ids', () => {
    expect(() => new ExactVectorIndex(['a', 'b'], new Float32Array(3), 2)).toThrow('expected 2 × 2');
  });
});

describe('ExactVectorIndex over int8 rows re-scored in float', () => {
  /** Plain float brute force: every row's cosine, best first, ties in row order. */
  function bruteForce(vectors: readonly Float32Array[], ids: readonly string[], query: Float32Array, k: number, rows?: readonly number[]) {
    return (rows ?? ids.map((_, row) => row))
      .map((row) => {
        let score = 0;
        for (let i = 0; i < query.length; i++) score += query[i] * vectors[row][i];
        return { id: ids[row], score };
      })
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }

  function quantizedIndex(ids: readonly string[], vectors: readonly Float32Array[], dims: number): ExactVectorIndex {
    return new ExactVectorIndex(ids, { quantized: QuantizedVectorRows.fromVectors(vectors, dims), floatRow: (row) => vectors[row] }, dims);
  }

  function expectSameHits(actual: { id: string; score: number }[], expected: { id: string; score: number }[]): void {
    expect(actual.map((h) => h.id)).toEqual(expected.map((h) => h.id));
    actual.forEach((hit, i) => expect(Math.abs(hit.score - expected[i].score)).toBeLessThan(1e-6));
  }

  // Every 7th row, in a shuffled order, plus an id the index does not hold.
  const subset = (count: number): number[] => {
    const rows = Array.from({ length: Math.floor(count / 7) }, (_, i) => i * 7);
    return rows.map((_, i) => rows[(i * 31) % rows.length]).filter((row, i, all) => all.indexOf(row) === i);
  };

  it('returns the ids, order and scores of a float brute force over random unit vectors', () => {
    const dims = 384;
    const rows = vectors(3000, dims, 5);
    const ids = rows.map((_, i) => `r${i}`);
    const index = quantizedIndex(ids, rows, dims);
    const candidateRows = subset(rows.length);
    const candidates = [...candidateRows.map((row) => ids[row]), 'unknown'];
    for (const query of vectors(8, dims, 41)) {
      for (const k of [1, 5, 50]) {
        expectSameHits(index.searchSync(query, { k }), bruteForce(rows, ids, query, k));
        expectSameHits(index.searchSync(query, { k, candidates }), bruteForce(rows, ids, query, k, candidateRows));
        const odd = (id: string) => Number(id.slice(1)) % 2 === 1;
        const oddRows = ids.flatMap((id, row) => (odd(id) ? [row] : []));
        expectSameHits(index.searchSync(query, { k, filter: odd }), bruteForce(rows, ids, query, k, oddRows));
      }
    }
  });

  it('returns the ids, order and scores of a float brute force over embedded catalog texts', async () => {
    const catalog = await loadCatalog();
    const items = catalog.items.filter((_, i) => i % 73 === 0);
    const embedder = createHashedNgramEmbedder();
    const rows = items.map((item) => embedder.embedSync(itemEmbeddingText(item)));
    const ids = items.map((item) => item.id);
    const index = quantizedIndex(ids, rows, embedder.dimensions);
    const candidateRows = subset(rows.length);
    const candidates = candidateRows.map((row) => ids[row]);
    const queries = ['進撃の巨人', 'ドラゴンボール', '恋愛 学園', '鳥山明', 'one piece', ...items.slice(0, 20).map((item) => item.title)];
    for (const text of queries) {
      const query = embedder.embedSync(text);
      for (const k of [1, 5, 50]) {
        expectSameHits(index.searchSync(query, { k }), bruteForce(rows, ids, query, k));
        expectSameHits(index.searchSync(query, { k, candidates }), bruteForce(rows, ids, query, k, candidateRows));
      }
    }
  });

  it('ranks a vector with no direction at score 0 and breaks exact ties in row order', () => {
    const dims = 8;
    const a = normalizeInPlace(Float32Array.from([1, 2, 0, 0, 0, 0, 0, 1]));
    const rows = [a, new Float32Array(dims), Float32Array.from(a), normalizeInPlace(Float32Array.from([-1, -1, 0, 0, 0, 0, 0, 0]))];
    const index = quantizedIndex(['a', 'zero', 'a-again', 'opposite'], rows, dims);
    expect(index.searchSync(a, { k: 4 }).map((h) => h.id)).toEqual(['a', 'a-again', 'zero', 'opposite']);
    expect(index.searchSync(a, { k: 1, candidates: ['a-again', 'a'] }).map((h) => h.id)).toEqual(['a-again']);
    const hits = index.searchSync(rows[3], { k: 2 });
    expect(hits).toEqual([
      { id: 'opposite', score: expect.closeTo(1, 6) },
      { id: 'zero', score: 0 },
    ]);
  });

  it('holds a quarter of the float matrix', () => {
    const rows = vectors(1000, 384, 9);
    const ids = rows.map((_, i) => `r${i}`);
    const float = ExactVectorIndex.fromVectors(ids, rows, 384);
    const quantized = quantizedIndex(ids, rows, 384);
    expect(quantized.matrix).toBeUndefined();
    expect(quantized.byteLength).toBe(1000 * 384 + 1000 * 8);
    expect(float.byteLength).toBe(1000 * 384 * 4);
  });
});

describe('TopK', () => {
  it('keeps the k highest scores in order', () => {
    const top = new TopK<string>(3);
    for (const [score, value] of [[0.1, 'a'], [0.9, 'b'], [0.5, 'c'], [0.7, 'd'], [0.2, 'e']] as const) top.push(score, value);
    expect(top.entries()).toEqual([
      { score: 0.9, value: 'b' },
      { score: 0.7, value: 'd' },
      { score: 0.5, value: 'c' },
    ]);
  });
});
