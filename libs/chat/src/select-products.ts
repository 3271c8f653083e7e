import type { Classification, ProductSummary } from '@manga-assist/contracts';
import type { ProductSource } from './ports';

/**
 * The products an answer is grounded in, by intent: ranked lists for trending, new releases and
 * genres; the named titles for lookups and comparisons; a vector search for the rest. The gateway
 * and the scheduler both call this, so a pre-computed answer is the answer the gateway would give.
 */
export async function selectProducts(
  products: ProductSource,
  c: Classification,
  text: string,
  { trending, topK = 5 }: { trending?: ProductSummary[]; topK?: number } = {},
): Promise<ProductSummary[]> {
  switch (c.intent) {
    case 'trending':
      return trending && trending.length > 0 && Object.keys(c.filters).length === 0 ? trending.slice(0, topK) : products.list('trending', c.filters, topK);
    case 'new_releases':
      return products.list('new_releases', c.filters, topK);
    case 'genre_browse':
      return products.list('genre', c.filters, topK);
    case 'title_lookup':
    case 'comparison': {
      const named = products.byIds(c.titleIds);
      if (named.length >= topK || c.intent === 'comparison') return named.slice(0, topK);
      const more = await products.search(text, c.filters, topK);
      return [...named, ...more.filter((p) => !named.some((n) => n.id === p.id))].slice(0, topK);
    }
    case 'recommendation':
      return products.search(text, c.filters, topK);
    default:
      return [];
  }
}
