import type { Catalog, CatalogItem } from '@manga-assist/catalog';
import type { Demographic, ProductFilters, ProductSummary } from '@manga-assist/contracts';

import { createCatalogRankings } from './catalog-rankings';
import type { Embedder, SyncEmbedder } from './embedder';
import { createFilteredSets } from './filtered-sets';
import { DEFAULT_EXACT_SCAN_LIMIT } from './hnsw-vector-index';
import { itemEmbeddingText } from './item-text';
import { OverlayVectorIndex } from './overlay-vector-index';
import { hasFilters } from './product-filters';
import { toProductSummary } from './product-summary';
import { createTitleLookup } from './title-lookup';
import type { TitleLookupOptions } from './title-lookup';
import type { VectorHit, VectorIndex } from './vector-index';
import { isZeroVector } from './vector-math';

export interface ProductSearchResult {
  products: ProductSummary[];
  /** Cosine similarity per product, same order; 0 for the sales-ranked answer to an empty query. */
  scores: number[];
}

/** Product retrieval for the chat gateway and the prefetch scheduler. */
export interface ProductRetriever {
  /** Semantic search: the `k` products most similar to `query` among those passing `filters`. */
  search(query: string, filters?: ProductFilters, k?: number): Promise<ProductSearchResult>;
  /** Catalog works named in `text` (by title or kana reading), in the order they appear. */
  lookupTitles(text: string): CatalogItem[];
  /** Products by id, in the order given; unknown ids are skipped. */
  byIds(ids: readonly string[]): ProductSummary[];
  /** Best sellers in stock this week. */
  trending(limit?: number, filters?: ProductFilters): ProductSummary[];
  /** Works with a next volume announced, soonest first. */
  newReleases(limit?: number, filters?: ProductFilters): ProductSummary[];
  /** Best sellers of one demographic. */
  byDemographic(demographic: Demographic, limit?: number): ProductSummary[];
  /** Whole catalog items by weekly sales, for callers that blend sales with their own signals. */
  topBySales(limit: number, filters?: ProductFilters): CatalogItem[];
  toProductSummary(item: CatalogItem): ProductSummary;
  /**
   * Adds or replaces catalog items (a publisher's update): titles, rankings, filters and the vector
   * index know them once this resolves, so the next question finds them.
   */
  upsert(items: readonly CatalogItem[]): Promise<{ added: number; changed: number }>;
}

export interface ProductRetrieverOptions {
  catalog: Catalog;
  embedder: Embedder;
  index: VectorIndex;
  /** Filtered sets up to this size are handed to the index as an explicit candidate list. */
  exactScanLimit?: number;
  titleLookup?: TitleLookupOptions;
}

export const DEFAULT_SEARCH_K = 5;
export const MAX_SEARCH_K = 100;
export const DEFAULT_LIST_LIMIT = 10;

const isSyncEmbedder = (embedder: Embedder): embedder is SyncEmbedder =>
  typeof (embedder as Partial<SyncEmbedder>).embedSync === 'function';

/**
 * Builds the in-memory lookups (title keys, sales and release order) once, so each call on the
 * chat path is a Map probe or a vector search. The catalog must be the one the index was built
 * from: hits are resolved against it unless the index returns product fields itself.
 */
export function createProductRetriever(options: ProductRetrieverOptions): ProductRetriever {
  const { catalog, embedder } = options;
  const index = new OverlayVectorIndex(options.index, embedder.dimensions);
  // Titles and rankings are updated in place on a catalog update (building them takes seconds on a
  // busy machine); the filter columns are rebuilt (one scan).
  const titles = createTitleLookup(catalog.items, options.titleLookup);
  const rankings = createCatalogRankings(catalog.items);
  let filteredSets = createFilteredSets(catalog.items, { listLimit: options.exactScanLimit ?? DEFAULT_EXACT_SCAN_LIMIT });
  const rowOf = new Map(catalog.items.map((item, row) => [item.id, row]));
  // Ids the base index was built from: their old vectors must be skipped once replaced.
  const inBase = new Set(rowOf.keys());

  const embedQuery = async (query: string): Promise<Float32Array> =>
    isSyncEmbedder(embedder) ? embedder.embedSync(query) : (await embedder.embed([query]))[0];

  const summaries = (items: readonly CatalogItem[]): ProductSummary[] => items.map(toProductSummary);

  return {
    async search(query, filters = {}, k = DEFAULT_SEARCH_K) {
      if (!Number.isInteger(k) || k < 1 || k > MAX_SEARCH_K) {
        throw new RangeError(`search: k must be an integer in 1..${MAX_SEARCH_K}, got ${k}`);
      }
      const vector = await embedQuery(query);
      // A query with no text to compare ("", "？？") still gets an answer: the best sellers that fit.
      if (isZeroVector(vector)) {
        const products = summaries(rankings.topBySales(k, filters));
        return { products, scores: products.map(() => 0) };
      }
      let hits: VectorHit[];
      if (hasFilters(filters)) {
        const admitted = filteredSets.get(filters);
        if (admitted.count === 0) return { products: [], scores: [] };
        hits = await index.search(vector, {
          k,
          filters,
          filter: admitted.admits,
          candidates: admitted.ids ?? undefined,
          admittedCount: admitted.count,
        });
      } else {
        hits = await index.search(vector, { k });
      }
      const products: ProductSummary[] = [];
      const scores: number[] = [];
      for (const hit of hits) {
        const item = catalog.byId.get(hit.id);
        const product = hit.product ?? (item && toProductSummary(item));
        if (!product) continue;
        products.push(product);
        scores.push(hit.score);
      }
      return { products, scores };
    },

    lookupTitles: (text) => titles.find(text),

    byIds(ids) {
      const out: ProductSummary[] = [];
      for (const id of ids) {
        const item = catalog.byId.get(id);
        if (item) out.push(toProductSummary(item));
      }
      return out;
    },

    trending: (limit = DEFAULT_LIST_LIMIT, filters = {}) =>
      summaries(rankings.topBySales(limit, { ...filters, inStock: true })),
    newReleases: (limit = DEFAULT_LIST_LIMIT, filters) => summaries(rankings.newReleases(limit, filters)),
    byDemographic: (demographic, limit = DEFAULT_LIST_LIMIT) => summaries(rankings.topBySales(limit, { demographic })),
    topBySales: (limit, filters) => rankings.topBySales(limit, filters),
    toProductSummary,

    async upsert(items) {
      if (items.length === 0) return { added: 0, changed: 0 };
      const vectors = isSyncEmbedder(embedder)
        ? items.map((item) => embedder.embedSync(itemEmbeddingText(item)))
        : await embedder.embed(items.map(itemEmbeddingText));
      let added = 0;
      for (const item of items) {
        const row = rowOf.get(item.id);
        if (row === undefined) {
          rowOf.set(item.id, catalog.items.length);
          catalog.items.push(item);
          added++;
        } else {
          catalog.items[row] = item;
        }
        catalog.byId.set(item.id, item);
      }
      index.upsert(items.map((item, i) => ({ id: item.id, vector: vectors[i] as Float32Array, inBase: inBase.has(item.id) })));
      titles.upsert(items);
      rankings.upsert(items);
      filteredSets = createFilteredSets(catalog.items, { listLimit: options.exactScanLimit ?? DEFAULT_EXACT_SCAN_LIMIT });
      return { added, changed: items.length - added };
    },
  };
}
