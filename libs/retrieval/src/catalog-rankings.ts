import type { CatalogItem } from '@manga-assist/catalog';
import type { ProductFilters } from '@manga-assist/contracts';

import { matchesFilters } from './product-filters';

/** Ranked lists the store knows without a search, from the catalog's (synthetic) store fields. */
export interface CatalogRankings {
  /** Best sellers by weekly sales, then by ID: deterministic for a given catalog. */
  topBySales(limit: number, filters?: ProductFilters): CatalogItem[];
  /** Works with a next volume announced, soonest first, then best sellers. */
  newReleases(limit: number, filters?: ProductFilters): CatalogItem[];
}

const byId = (a: CatalogItem, b: CatalogItem): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const bySales = (a: CatalogItem, b: CatalogItem): number => b.synthetic.weeklySales - a.synthetic.weeklySales || byId(a, b);

function take(sorted: readonly CatalogItem[], limit: number, filters: ProductFilters | undefined): CatalogItem[] {
  const out: CatalogItem[] = [];
  for (const item of sorted) {
    if (out.length >= limit) break;
    if (!filters || matchesFilters(item, filters)) out.push(item);
  }
  return out;
}

export function createCatalogRankings(items: readonly CatalogItem[]): CatalogRankings {
  // Sorted once; a list is then a walk from the top until `limit` items pass the filters.
  const salesOrder = [...items].sort(bySales);
  const releaseOrder = items
    .filter((item) => item.synthetic.nextVolumeDate !== null)
    .sort((a, b) => {
      const da = a.synthetic.nextVolumeDate ?? '';
      const db = b.synthetic.nextVolumeDate ?? '';
      return da < db ? -1 : da > db ? 1 : bySales(a, b);
    });
  return {
    topBySales: (limit, filters) => take(salesOrder, limit, filters),
    newReleases: (limit, filters) => take(releaseOrder, limit, filters),
  };
}
