import { ExactVectorIndex } from './exact-vector-index';
import type { VectorHit, VectorIndex, VectorSearchOptions } from './vector-index';

// Replaced items' stale vectors are dropped from the base's hits; asking the base for this many
// extra hits at most keeps a large batch of changes from turning every search into a wide one.
const MAX_OVER_FETCH = 64;

/**
 * A base index (the persisted HNSW graph, or OpenSearch) plus the items changed since it was built,
 * scored exactly. A catalog update lands here at once and in every search from then on, without
 * rebuilding or re-persisting the graph: an item added is found, an item changed is found by its
 * new text only (its old vector in the base is skipped).
 */
export class OverlayVectorIndex implements VectorIndex {
  readonly kind: string;
  private readonly vectors = new Map<string, Float32Array>();
  /** Ids whose old vector the base still holds. */
  private readonly replaced = new Set<string>();
  private exact: ExactVectorIndex;

  constructor(
    private readonly base: VectorIndex,
    private readonly dimensions: number,
  ) {
    this.kind = base.kind;
    this.exact = ExactVectorIndex.fromVectors([], [], dimensions);
  }

  /** Items added or changed since the base was built. */
  get size(): number {
    return this.vectors.size;
  }

  /** Adds or replaces vectors; `inBase` says whether the base index holds an older vector of the id. */
  upsert(entries: readonly { id: string; vector: Float32Array; inBase: boolean }[]): void {
    for (const { id, vector, inBase } of entries) {
      if (vector.length !== this.dimensions) throw new Error(`OverlayVectorIndex: vector of ${id} has ${vector.length} dimensions, expected ${this.dimensions}`);
      this.vectors.set(id, vector);
      if (inBase) this.replaced.add(id);
    }
    this.exact = ExactVectorIndex.fromVectors([...this.vectors.keys()], [...this.vectors.values()], this.dimensions);
  }

  async search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorHit[]> {
    if (this.vectors.size === 0) return this.base.search(vector, options);
    const { k, candidates } = options;
    const baseCandidates = candidates?.filter((id) => !this.vectors.has(id));
    const overlayCandidates = candidates?.filter((id) => this.vectors.has(id));
    const overFetch = candidates ? 0 : Math.min(this.replaced.size, MAX_OVER_FETCH);
    const baseHits =
      baseCandidates && baseCandidates.length === 0
        ? []
        : await this.base.search(vector, { ...options, candidates: baseCandidates, k: k + overFetch });
    const overlayHits =
      overlayCandidates && overlayCandidates.length === 0 ? [] : this.exact.searchSync(vector, { k, filter: options.filter, candidates: overlayCandidates });
    return [...baseHits.filter((hit) => !this.vectors.has(hit.id)), ...overlayHits].sort((a, b) => b.score - a.score).slice(0, k);
  }
}
