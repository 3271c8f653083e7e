import type { QuantizedVectorRows } from './quantized-vector-rows';
import type { VectorHit, VectorIndex, VectorSearchOptions } from './vector-index';
import { TopK, dot } from './vector-math';

/** Int8 rows for the scan plus the float vectors the best of them are re-scored with. */
export interface RescoredRows {
  quantized: QuantizedVectorRows;
  /** The float vector of a non-zero row (the persisted index passes hnswlib's own copy). */
  floatRow: (row: number) => ArrayLike<number>;
}

/**
 * Brute-force cosine search over in-memory unit vectors: exact, and the right tool for small
 * candidate sets. Over the whole catalog it is the baseline the HNSW index is measured against.
 *
 * Rows are a Float32 matrix, or int8 rows (a quarter of the memory) whose scan picks out the rows
 * that can be among the k best (`QuantizedVectorRows.shortlist`), which are then scored against
 * their float vectors: either way the hits carry exact cosine scores in exact order.
 */
export class ExactVectorIndex implements VectorIndex {
  readonly kind = 'exact';
  private readonly rows: Float32Array | RescoredRows;
  private readonly rowById: Map<string, number>;

  /**
   * @param ids row i holds the vector of `ids[i]`
   * @param rows a dense `ids.length × dimensions` Float32 matrix of unit vectors, or int8 rows with
   *   a float source
   */
  constructor(
    readonly ids: readonly string[],
    rows: Float32Array | RescoredRows,
    readonly dimensions: number,
  ) {
    const [count, width] = rows instanceof Float32Array ? [rows.length / dimensions, dimensions] : [rows.quantized.count, rows.quantized.dimensions];
    if (count !== ids.length || width !== dimensions) {
      const size = rows instanceof Float32Array ? `matrix has ${rows.length} values` : `quantized rows are ${count} × ${width}`;
      throw new Error(`ExactVectorIndex: ${size}, expected ${ids.length} × ${dimensions}`);
    }
    this.rows = rows;
    this.rowById = new Map(ids.map((id, row) => [id, row]));
  }

  static fromVectors(ids: readonly string[], vectors: readonly Float32Array[], dimensions: number): ExactVectorIndex {
    const matrix = new Float32Array(ids.length * dimensions);
    vectors.forEach((vector, row) => matrix.set(vector, row * dimensions));
    return new ExactVectorIndex(ids, matrix, dimensions);
  }

  /** Float rows, row-major `ids.length × dimensions`; undefined when the rows are quantized. */
  get matrix(): Float32Array | undefined {
    return this.rows instanceof Float32Array ? this.rows : undefined;
  }

  /** Int8 rows and their float source; undefined when the rows are float. */
  get rescored(): RescoredRows | undefined {
    return this.rows instanceof Float32Array ? undefined : this.rows;
  }

  /** Bytes of vector storage this index holds itself (a float source it re-scores from is not counted). */
  get byteLength(): number {
    return this.rows instanceof Float32Array ? this.rows.byteLength : this.rows.quantized.byteLength;
  }

  async search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorHit[]> {
    return this.searchSync(vector, options);
  }

  /**
   * With `candidates`, scores exactly those ids (the caller promises they are what the filter
   * admits, so the filter is not asked again); otherwise scans every row the filter admits.
   */
  searchSync(vector: Float32Array, { k, filter, candidates }: VectorSearchOptions): VectorHit[] {
    if (vector.length !== this.dimensions) {
      throw new Error(`ExactVectorIndex: query has ${vector.length} dimensions, expected ${this.dimensions}`);
    }
    const rows = this.selectRows(filter, candidates);
    const top = this.rows instanceof Float32Array ? this.topFloat(vector, rows, k, this.rows) : this.topRescored(vector, rows, k, this.rows);
    return top.entries().map(({ score, value }) => ({ id: this.ids[value], score }));
  }

  /** The float vector of `id` that exact scores are computed with, or undefined. */
  vectorOf(id: string): ArrayLike<number> | undefined {
    const row = this.rowById.get(id);
    if (row === undefined) return undefined;
    if (this.rows instanceof Float32Array) return this.rows.subarray(row * this.dimensions, (row + 1) * this.dimensions);
    const { quantized, floatRow } = this.rows;
    return quantized.isZero(row) ? new Float32Array(this.dimensions) : floatRow(row);
  }

  /** Row numbers of the candidates (in their order) or of every row the filter admits. */
  private selectRows(filter: VectorSearchOptions['filter'], candidates: VectorSearchOptions['candidates']): Int32Array {
    if (candidates) {
      const rows = new Int32Array(candidates.length);
      let n = 0;
      for (const id of candidates) {
        const row = this.rowById.get(id);
        if (row !== undefined) rows[n++] = row;
      }
      return rows.subarray(0, n);
    }
    const rows = new Int32Array(this.ids.length);
    let n = 0;
    for (let row = 0; row < this.ids.length; row++) if (!filter || filter(this.ids[row])) rows[n++] = row;
    return rows.subarray(0, n);
  }

  private topFloat(vector: Float32Array, rows: Int32Array, k: number, matrix: Float32Array): TopK<number> {
    const top = new TopK<number>(k);
    // Only a score above the current k-th best can enter; checking that inline keeps the scan tight.
    let threshold = -Infinity;
    for (const row of rows) {
      const score = dotAt(vector, matrix, row * this.dimensions);
      if (score > threshold) {
        top.push(score, row);
        threshold = top.threshold;
      }
    }
    return top;
  }

  private topRescored(vector: Float32Array, rows: Int32Array, k: number, { quantized, floatRow }: RescoredRows): TopK<number> {
    const top = new TopK<number>(k);
    // The shortlist keeps the rows' order, so ties fall out as in the float scan (first row first).
    for (const row of quantized.shortlist(vector, rows, k)) {
      top.push(quantized.isZero(row) ? 0 : dot(vector, floatRow(row)), row);
    }
    return top;
  }
}

/** `vector · m[base .. base + vector.length)`. */
function dotAt(vector: Float32Array, m: Float32Array, base: number): number {
  const d = vector.length;
  // Four independent sums let the CPU overlap the multiplies (~30% faster than one running sum).
  let a = 0;
  let b = 0;
  let c = 0;
  let e = 0;
  let i = 0;
  for (; i + 3 < d; i += 4) {
    const j = base + i;
    a += vector[i] * m[j];
    b += vector[i + 1] * m[j + 1];
    c += vector[i + 2] * m[j + 2];
    e += vector[i + 3] * m[j + 3];
  }
  for (; i < d; i++) a += vector[i] * m[base + i];
  return a + b + c + e;
}
