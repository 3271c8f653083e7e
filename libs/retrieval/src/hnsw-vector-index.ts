import type { HierarchicalNSW, SearchResult } from 'hnswlib-node';

import type { ExactVectorIndex } from './exact-vector-index';
import type { VectorHit, VectorIndex, VectorSearchOptions } from './vector-index';
import { isZeroVector } from './vector-math';

export interface HnswSearchOptions {
  /** Size of the dynamic candidate list while searching: recall against speed (hnswlib's `ef`). */
  efSearch?: number;
  /** Candidate sets up to this size are scored exactly instead of walking the graph. */
  exactScanLimit?: number;
}

export interface HnswIndexOrigin {
  source: 'built' | 'loaded';
  /** Wall time to build (embed + insert + write) or to load (read + verify) the index. */
  ms: number;
  /** The persisted graph file. */
  path: string;
}

export const DEFAULT_EF_SEARCH = 128;
// Filters admitting at least this share of the catalog are applied after an unfiltered search.
const POST_FILTER_MIN_SHARE = 0.25;
// Exact scoring costs ~0.4 µs per candidate (≤ ~3 ms here) plus ~30 µs per row re-scored with
// hnswlib's float vector (about 1.5 × k rows); a graph walk that has to ask the filter at every
// node costs more until the filter admits a quarter of the catalog, where post-filtering an
// unfiltered search takes over.
export const DEFAULT_EXACT_SCAN_LIMIT = 8192;

/**
 * The embedded vector index: an hnswlib graph for approximate search plus the same vectors as int8
 * rows (re-scored with the graph's own float vectors), used for exact scoring of small candidate
 * sets and as the fallback that guarantees k hits whenever k items pass the filter.
 */
export class HnswVectorIndex implements VectorIndex {
  readonly kind = 'hnsw';
  readonly efSearch: number;
  readonly exactScanLimit: number;

  constructor(
    private readonly graph: HierarchicalNSW,
    /** Same ids and vectors as the graph; graph labels are its row numbers. */
    readonly exact: ExactVectorIndex,
    readonly origin: HnswIndexOrigin,
    options: HnswSearchOptions = {},
  ) {
    this.efSearch = options.efSearch ?? DEFAULT_EF_SEARCH;
    this.exactScanLimit = options.exactScanLimit ?? DEFAULT_EXACT_SCAN_LIMIT;
    graph.setEf(this.efSearch);
  }

  get size(): number {
    return this.exact.ids.length;
  }

  async search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorHit[]> {
    return this.searchSync(vector, options);
  }

  searchSync(vector: Float32Array, options: VectorSearchOptions): VectorHit[] {
    const { filter, candidates } = options;
    const k = Math.min(options.k, this.graph.getCurrentCount());
    // A zero query (empty text) has no direction: cosine is undefined, so nothing is similar.
    if (k <= 0 || isZeroVector(vector)) return [];
    if (candidates && candidates.length <= this.exactScanLimit) return this.exact.searchSync(vector, { k, candidates });

    const query = Array.from(vector);
    if (!filter && !candidates) return this.hits(this.graph.searchKnn(query, k));

    const ids = this.exact.ids;
    const admitted = candidates ? new Set(candidates) : undefined;
    const accepts = (label: number): boolean => (!admitted || admitted.has(ids[label])) && (!filter || filter(ids[label]));
    const admittedCount = options.admittedCount ?? candidates?.length;
    const share = admittedCount === undefined ? 0 : admittedCount / this.size;
    if (share >= POST_FILTER_MIN_SHARE) {
      // Most items pass (in stock: 92%): fetch a few extra neighbours unfiltered and drop the
      // rejected ones. A filter call crosses from native code into JS at every visited node, which
      // costs more than the extra distances.
      const fetch = Math.min(this.graph.getCurrentCount(), Math.ceil((2 * k) / share) + 8);
      const { neighbors, distances } = this.graph.searchKnn(query, fetch);
      const kept: VectorHit[] = [];
      for (let i = 0; i < neighbors.length && kept.length < k; i++) {
        if (accepts(neighbors[i])) kept.push({ id: ids[neighbors[i]], score: 1 - distances[i] });
      }
      if (kept.length === k) return kept;
    }
    const result = this.graph.searchKnn(query, k, accepts);
    if (result.neighbors.length < k) {
      // The walk ran out before finding k admitted items (a disconnected corner of the graph):
      // score every admitted item instead, so a filter never silently shortens the answer.
      return this.exact.searchSync(vector, { k, filter: (id) => (!admitted || admitted.has(id)) && (!filter || filter(id)) });
    }
    return this.hits(result);
  }

  private hits(result: SearchResult): VectorHit[] {
    const ids = this.exact.ids;
    return result.neighbors.map((label, i) => ({ id: ids[label], score: 1 - result.distances[i] }));
  }
}
