import { ExactVectorIndex } from './exact-vector-index';
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
