import { createHashedNgramEmbedder } from './hashed-ngram-embedder';
import { QuantizedVectorRows } from './quantized-vector-rows';
import { normalizeInPlace } from './vector-math';

// Deterministic pseudo-random unit vectors.
function unitVectors(count: number, dimensions: number, seed: number): Float32Array[] {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  return Array.from({ length: count }, () => normalizeInPlace(Float32Array.from({ length: dimensions }, next)));
}

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
};

describe('QuantizedVectorRows', () => {
  const dims = 384;
  const vectors = unitVectors(300, dims, 3);
  const rows = QuantizedVectorRows.fromVectors(vectors, dims);

  it('stores one byte per value plus two floats per row', () => {
    expect(rows.codes.buffer.byteLength).toBe(300 * dims);
    expect(rows.byteLength).toBe(300 * dims + 300 * 8);
    expect(rows.byteLength).toBeLessThan((300 * dims * 4) / 3.5);
  });

  it('gives back each value within half a step, and records the error it made', () => {
    vectors.forEach((vector, row) => {
      const back = rows.dequantize(row);
      const step = Math.max(...Array.from(vector, Math.abs)) / 127;
      let errorSquared = 0;
      let worst = 0;
      vector.forEach((x, i) => {
        worst = Math.max(worst, Math.abs(x - back[i]));
        errorSquared += (x - back[i]) ** 2;
      });
      expect(worst).toBeLessThanOrEqual(step / 2 + 1e-7);
      expect(rows.errorNorms[row]).toBeCloseTo(Math.sqrt(errorSquared), 6);
    });
  });

  it('scores within the recorded bound of the exact cosine', () => {
    const queries = [...unitVectors(20, dims, 11), createHashedNgramEmbedder().embedSync('進撃の巨人')];
    for (const query of queries) {
      vectors.forEach((vector, row) => {
        const error = Math.abs(rows.approximateScore(query, row) - cosine(query, vector));
        expect(error).toBeLessThanOrEqual(rows.errorNorms[row] + 1e-6);
        expect(error).toBeLessThan(0.01);
      });
    }
  });

  it('keeps a zero vector zero, with no error', () => {
    const withZero = QuantizedVectorRows.fromVectors([vectors[0], new Float32Array(dims)], dims);
    expect(withZero.isZero(1)).toBe(true);
    expect(withZero.isZero(0)).toBe(false);
    expect(withZero.errorNorms[1]).toBe(0);
    expect(withZero.approximateScore(vectors[5], 1)).toBe(0);
  });

  it('shortlists every row of the exact top k, and far fewer rows than it was given', () => {
    const all = Int32Array.from(vectors.keys());
    for (const query of unitVectors(10, dims, 17)) {
      const exact = Array.from(all).sort((a, b) => cosine(query, vectors[b]) - cosine(query, vectors[a]));
      for (const k of [1, 5, 50]) {
        const shortlist = rows.shortlist(query, all, k);
        expect(shortlist).toEqual(expect.arrayContaining(exact.slice(0, k)));
        expect(shortlist.length).toBeLessThan(Math.max(4 * k, k + 100));
        // In the order given.
        expect([...shortlist].sort((a, b) => a - b)).toEqual(shortlist);
      }
    }
  });

  it('refuses a vector of the wrong size', () => {
    expect(() => rows.set(0, new Float32Array(3))).toThrow('expected 384');
  });
});
