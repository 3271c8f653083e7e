/**
 * Random-hyperplane LSH: vectors at a small angle share a band signature with high probability,
 * so a lookup fetches only the few entries in its buckets instead of scanning the cache.
 * With 12 bands of 6 bits, two vectors at cosine 0.85 share at least one bucket ~99% of the time,
 * two at cosine 0.3 ~40% (the cosine check then rejects them).
 */
export interface Lsh {
  bands: number;
  signatures(vector: Float32Array): string[];
}

// Deterministic hyperplanes (every gateway and worker must bucket alike): mulberry32 + Box–Muller.
function seededNormal(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

export function createLsh({ dimensions, bands = 12, rowsPerBand = 6, seed = 0x6d616e67 }: { dimensions: number; bands?: number; rowsPerBand?: number; seed?: number }): Lsh {
  const normal = seededNormal(seed);
  const planes = Array.from({ length: bands * rowsPerBand }, () => Float32Array.from({ length: dimensions }, normal));
  return {
    bands,
    signatures(vector) {
      const out: string[] = [];
      for (let b = 0; b < bands; b++) {
        let bits = 0;
        for (let r = 0; r < rowsPerBand; r++) {
          const plane = planes[b * rowsPerBand + r]!;
          let dot = 0;
          for (let i = 0; i < dimensions; i++) dot += plane[i]! * vector[i]!;
          if (dot >= 0) bits |= 1 << r;
        }
        out.push(`${b}.${bits.toString(36)}`);
      }
      return out;
    },
  };
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
