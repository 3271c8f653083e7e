import type { ProductFilters, ProductSummary } from '@manga-assist/contracts';
import type { ProductRetriever } from './product-retriever';

/** Products as the chat pipeline and the pre-computer ask for them. */
export interface ProductSource {
  search(query: string, filters: ProductFilters, k: number): Promise<ProductSummary[]>;
  byIds(ids: readonly string[]): ProductSummary[];
  /** Ranked lists the store knows without a search (trending, new releases, by demographic). */
  list(kind: 'trending' | 'new_releases' | 'genre', filters: ProductFilters, k: number): Promise<ProductSummary[]>;
}

/** The trending list the scheduler computes (see the popularity lib), as far as products need it. */
export interface TrendingList {
  read(): Promise<string[] | null>;
}

/**
 * The retriever as a product source. Trending without filters comes from the list the scheduler
 * computed (sales blended with what users ask about) when there is one.
 */
export function createProductSource(retriever: ProductRetriever, trending?: TrendingList): ProductSource {
  return {
    async search(query, filters, k) {
      return (await retriever.search(query, filters, k)).products;
    },
    byIds: (ids) => retriever.byIds(ids),
    async list(kind, filters, k) {
      if (kind === 'new_releases') return retriever.newReleases(k, filters);
      if (kind === 'genre' && filters.demographic && Object.keys(filters).length === 1) return retriever.byDemographic(filters.demographic, k);
      if (kind === 'trending' && trending && Object.keys(filters).length === 0) {
        const ids = await trending.read().catch(() => null);
        if (ids && ids.length > 0) return retriever.byIds(ids.slice(0, k));
      }
      return retriever.trending(k, filters);
    },
  };
}
