import type { ProductRetriever } from '@manga-assist/retrieval';
import { classify } from '@manga-assist/intent';
import type { ClassifierPort, ProductSource } from './ports';

/** The retrieval lib as the pipeline's product port. */
export function createProductSource(retriever: ProductRetriever): ProductSource {
  return {
    async search(query, filters, k) {
      return (await retriever.search(query, filters, k)).products;
    },
    byIds: (ids) => retriever.byIds(ids),
    async list(kind, filters, k) {
      if (kind === 'new_releases') return retriever.newReleases(k, filters);
      if (kind === 'genre' && filters.demographic && Object.keys(filters).length === 1) return retriever.byDemographic(filters.demographic, k);
      return retriever.trending(k, filters);
    },
  };
}

/** The in-process classifier, finding named titles through the retrieval lib's title index. */
export function createClassifier(retriever: ProductRetriever): ClassifierPort {
  return { classify: (text) => classify(text, (t) => retriever.lookupTitles(t)) };
}
