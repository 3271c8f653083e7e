import type { ProductRetriever } from '@manga-assist/retrieval';
import { classify } from '@manga-assist/intent';
import type { ClassifierPort, ProductSource } from './ports';
import type { TrendingStore } from './trending-store';

/**
 * The retrieval lib as the pipeline's product port. Trending without filters comes from the list
 * the scheduler computed (sales blended with what users ask about) when there is one.
 */
export function createProductSource(retriever: ProductRetriever, trendingStore?: TrendingStore): ProductSource {
  return {
    async search(query, filters, k) {
      return (await retriever.search(query, filters, k)).products;
    },
    byIds: (ids) => retriever.byIds(ids),
    async list(kind, filters, k) {
      if (kind === 'new_releases') return retriever.newReleases(k, filters);
      if (kind === 'genre' && filters.demographic && Object.keys(filters).length === 1) return retriever.byDemographic(filters.demographic, k);
      if (kind === 'trending' && trendingStore && Object.keys(filters).length === 0) {
        const ids = await trendingStore.read().catch(() => null);
        if (ids && ids.length > 0) return retriever.byIds(ids.slice(0, k));
      }
      return retriever.trending(k, filters);
    },
  };
}

/** The in-process classifier, finding named titles through the retrieval lib's title index. */
export function createClassifier(retriever: ProductRetriever): ClassifierPort {
  return { classify: (text) => classify(text, (t) => retriever.lookupTitles(t)) };
}
