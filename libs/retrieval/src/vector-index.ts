import type { ProductFilters, ProductSummary } from '@manga-assist/contracts';

export interface VectorSearchOptions {
  /** How many hits to return at most; fewer only when fewer items pass the filter. */
  k: number;
  /** In-process predicate over ids, for indexes that hold only vectors (HNSW, exact). */
  filter?: (id: string) => boolean;
  /** The same constraint in declarative form, for indexes that filter server-side (OpenSearch). */
  filters?: ProductFilters;
  /**
   * Every id the filter admits, when the caller knows the set is small: scoring them exactly is
   * both exact and faster than a graph walk that keeps stepping over rejected nodes.
   */
  candidates?: readonly string[];
  /**
   * How many ids the filter admits, when the caller knows: when most items pass, an index can
   * over-fetch and drop the rejected few instead of asking the filter at every step of its walk.
   */
  admittedCount?: number;
}

export interface VectorHit {
  id: string;
  /** Cosine similarity, higher is better. */
  score: number;
  /** Present when the index stores product fields itself (OpenSearch); otherwise look the id up. */
  product?: ProductSummary;
}

/** Nearest-neighbour search over product vectors: embedded HNSW locally, OpenSearch in production. */
export interface VectorIndex {
  /** Short name for logs and metrics. */
  readonly kind: string;
  search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorHit[]>;
}
