import type { CatalogItem } from '@manga-assist/catalog';
import type { ProductFilters } from '@manga-assist/contracts';

import { matchesFilters } from './product-filters';

/** Ranked lists the store knows without a search, from the catalog's (synthetic) store fields. */
export interface CatalogRankings {
  /** Best sellers by weekly sales, then by ID: deterministic for a given catalog. */
  topBySales(limit: number, filters?: ProductFilters): CatalogItem[];
  /** Works with a next volume announced, soonest first, then best sellers. */
  newReleases(limit: number, filters?: ProductFilters): CatalogItem[];
  /** Adds works or replaces them by id: the changed few are sorted and merged in, the rest is not re-sorted. */
  upsert(items: readonly CatalogItem[]): void;
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

const byRelease = (a: CatalogItem, b: CatalogItem): number => {
  const da = a.synthetic.nextVolumeDate ?? '';
  const db = b.synthetic.nextVolumeDate ?? '';
  return da < db ? -1 : da > db ? 1 : bySales(a, b);
};
const hasRelease = (item: CatalogItem) => item.synthetic.nextVolumeDate !== null;

/** Two lists sorted by `order` as one sorted list. */
function merge(a: readonly CatalogItem[], b: readonly CatalogItem[], order: (x: CatalogItem, y: CatalogItem) => number): CatalogItem[] {
  const out: CatalogItem[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(order(a[i] as CatalogItem, b[j] as CatalogItem) <= 0 ? (a[i++] as CatalogItem) : (b[j++] as CatalogItem));
  while (i < a.length) out.push(a[i++] as CatalogItem);
  while (j < b.length) out.push(b[j++] as CatalogItem);
  return out;
}

export function createCatalogRankings(items: readonly CatalogItem[]): CatalogRankings {
  // Sorted once; a list is then a walk from the top until `limit` items pass the filters.
  let salesOrder = [...items].sort(bySales);
  let releaseOrder = items.filter(hasRelease).sort(byRelease);
  return {
    topBySales: (limit, filters) => take(salesOrder, limit, filters),
    newReleases: (limit, filters) => take(releaseOrder, limit, filters),
    upsert(changed) {
      const ids = new Set(changed.map((item) => item.id));
      const latest = [...new Map(changed.map((item) => [item.id, item])).values()];
      salesOrder = merge(salesOrder.filter((item) => !ids.has(item.id)), [...latest].sort(bySales), bySales);
      releaseOrder = merge(releaseOrder.filter((item) => !ids.has(item.id)), latest.filter(hasRelease).sort(byRelease), byRelease);
    },
  };
}
