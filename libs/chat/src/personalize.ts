import type { Preferences, ProductSummary } from '@manga-assist/contracts';

/** What the gateway prefetched about a signed-in user (the sessions lib's context). */
export interface Personalization {
  preferences: Preferences;
  /** Titles the user asked about recently (newest first): not recommended again. */
  recentTitleIds: string[];
}

/**
 * Orders products by the user's preferences and drops those they already asked about: a preferred
 * demographic first (in the order the user listed them), then within budget, then the retrieval's
 * own order. When everything was already asked about, the original list stands rather than none.
 */
export function personalize(products: readonly ProductSummary[], { preferences, recentTitleIds }: Personalization, topK: number): ProductSummary[] {
  const seen = new Set(recentTitleIds);
  const fresh = products.filter((p) => !seen.has(p.id));
  const candidates = fresh.length > 0 ? fresh : [...products];
  const demographics = preferences.demographics ?? [];
  const rank = (p: ProductSummary) => {
    const d = p.demographic === null ? -1 : demographics.indexOf(p.demographic);
    const demographicRank = d === -1 ? demographics.length : d;
    const overBudget = preferences.maxPriceJpy !== undefined && p.priceJpy > preferences.maxPriceJpy ? 1 : 0;
    return [demographicRank, overBudget] as const;
  };
  return candidates
    .map((p, i) => ({ p, i, r: rank(p) }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.i - b.i)
    .slice(0, topK)
    .map(({ p }) => p);
}
