import { TopK } from './vector-math';

// Added to every error bound: covers float32 rounding of the stored error norms and a float source
// that differs from the quantized vector by a few ulps (hnswlib renormalizes what it stores).
// Scores live in [-1, 1]; real quantization errors are ~1e-3, so this widens the bound by ~0.2%.
const BOUND_SLACK = 1e-5;

/**
 * Unit vectors stored as int8, one scale per row (symmetric: `x[i] ≈ scale * code[i]`, with
 * `scale = max|x[i]| / 127`): a quarter of a Float32 matrix. Scores against a float query are
 * approximate; `shortlist` says which rows can still be among the k best, so a caller that re-scores
 * only those against the float vectors gets the exact top k.
 *
 * Error bound. With the row's quantization error `r = x - scale * code`, the exact score is
 * `q·x = approx + q·r` and, by Cauchy–Schwarz, `|q·r| ≤ ‖q‖ · ‖r‖`. `‖r‖` is measured when the row
 * is quantized and stored (`errorNorms`), so the bound is per row and needs no assumption about the
 * data. Rounding to the nearest code keeps each `|r[i]| ≤ scale / 2`; on the catalog's 384-dim
 * vectors `‖r‖` is ~0.006 (largest 0.015), the observed score error at most 0.003.
 */
export class QuantizedVectorRows {
  readonly codes: Int8Array;
  readonly scales: Float32Array;
  /** Euclidean norm of each row's quantization error, for the score bound. */
  readonly errorNorms: Float32Array;

  /** `count` rows of zeros (a zero row matches nothing); fill them with `set`. */
  constructor(
    readonly count: number,
    readonly dimensions: number,
  ) {
    this.codes = new Int8Array(count * dimensions);
    this.scales = new Float32Array(count);
    this.errorNorms = new Float32Array(count);
  }

  static fromVectors(vectors: readonly ArrayLike<number>[], dimensions: number): QuantizedVectorRows {
    const rows = new QuantizedVectorRows(vectors.length, dimensions);
    vectors.forEach((vector, row) => rows.set(row, vector));
    return rows;
  }

  /** Bytes held: codes, scales and error norms. */
  get byteLength(): number {
    return this.codes.byteLength + this.scales.byteLength + this.errorNorms.byteLength;
  }

  /** Quantizes `vector` into `row`. */
  set(row: number, vector: ArrayLike<number>): void {
    const d = this.dimensions;
    if (vector.length !== d) throw new Error(`QuantizedVectorRows: vector has ${vector.length} dimensions, expected ${d}`);
    let max = 0;
    for (let i = 0; i < d; i++) max = Math.max(max, Math.abs(vector[i]));
    const base = row * d;
    if (max === 0) {
      this.codes.fill(0, base, base + d);
      this.scales[row] = 0;
      this.errorNorms[row] = 0;
      return;
    }
    const scale = Math.fround(max / 127);
    let errorSquared = 0;
    for (let i = 0; i < d; i++) {
      const code = Math.max(-127, Math.min(127, Math.round(vector[i] / scale)));
      this.codes[base + i] = code;
      const error = vector[i] - code * scale;
      errorSquared += error * error;
    }
    this.scales[row] = scale;
    this.errorNorms[row] = Math.sqrt(errorSquared);
  }

  /** A row with no direction (never set, or set to zeros): its exact score is 0 against anything. */
  isZero(row: number): boolean {
    return this.scales[row] === 0;
  }

  /** The row as floats again (`scale * code`). */
  dequantize(row: number): Float32Array {
    const d = this.dimensions;
    const out = new Float32Array(d);
    const scale = this.scales[row];
    for (let i = 0; i < d; i++) out[i] = scale * this.codes[row * d + i];
    return out;
  }

  /** `query · row` from the int8 codes; within `‖query‖ · errorNorms[row]` of the exact score. */
  approximateScore(query: Float32Array, row: number): number {
    const c = this.codes;
    const d = this.dimensions;
    const base = row * d;
    // Four independent sums, as in the float scan: the multiplies overlap.
    let a = 0;
    let b = 0;
    let e = 0;
    let f = 0;
    let i = 0;
    for (; i + 3 < d; i += 4) {
      const j = base + i;
      a += query[i] * c[j];
      b += query[i + 1] * c[j + 1];
      e += query[i + 2] * c[j + 2];
      f += query[i + 3] * c[j + 3];
    }
    for (; i < d; i++) a += query[i] * c[base + i];
    return (a + b + e + f) * this.scales[row];
  }

  /**
   * The rows of `rows` (in their given order) whose exact score against `query` can be among the
   * `k` best of `rows`. Each row's exact score lies in `approx ± bound`; at least k rows score at
   * least the k-th largest lower bound L, so the exact k-th best is ≥ L and a row whose upper bound
   * is below L cannot be in the top k. Every other row is kept — no fixed shortlist size, so the
   * answer after re-scoring is exact whatever the spread of scores (on the catalog, k = 5 keeps
   * ~7 rows of 8192, k = 50 ~75).
   */
  shortlist(query: Float32Array, rows: ArrayLike<number>, k: number): number[] {
    if (k <= 0) return [];
    if (rows.length <= k) return Array.from(rows);
    let normSquared = 0;
    for (let i = 0; i < query.length; i++) normSquared += query[i] * query[i];
    const queryNorm = Math.sqrt(normSquared);

    const approx = new Float64Array(rows.length);
    const slack = new Float64Array(rows.length);
    const lowest = new TopK<null>(k);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      approx[i] = this.approximateScore(query, row);
      slack[i] = queryNorm * (this.errorNorms[row] + BOUND_SLACK);
      const lower = approx[i] - slack[i];
      if (lower > lowest.threshold) lowest.push(lower, null);
    }
    const floor = lowest.threshold;
    const kept: number[] = [];
    for (let i = 0; i < rows.length; i++) if (approx[i] + slack[i] >= floor) kept.push(rows[i]);
    return kept;
  }
}
