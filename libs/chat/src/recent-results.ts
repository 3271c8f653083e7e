import type { ProductSummary } from '@manga-assist/contracts';

/**
 * The last products found per question and filters, kept in memory: when the vector search is
 * unavailable (breaker open, timed out), a question asked before is answered from what it found
 * then. Bounded; the oldest entry goes first.
 */
export function createRecentResults(maxEntries = 2000) {
  const entries = new Map<string, ProductSummary[]>();
  return {
    get(key: string): ProductSummary[] | undefined {
      return entries.get(key);
    },
    set(key: string, products: ProductSummary[]): void {
      if (products.length === 0) return;
      entries.delete(key);
      entries.set(key, products);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
  };
}
export type RecentResults = ReturnType<typeof createRecentResults>;
