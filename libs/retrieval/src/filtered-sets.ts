import type { CatalogItem } from '@manga-assist/catalog';
import type { ProductFilters } from '@manga-assist/contracts';

import { filtersKey, matchesFilters } from './product-filters';

/** The catalog items one set of filters admits. */
export interface FilteredSet {
  count: number;
  /** The admitted ids, when there are few enough to score exactly; otherwise null. */
  ids: readonly string[] | null;
  admits(id: string): boolean;
}

export interface FilteredSetsOptions {
  /** Keep `ids` for sets up to this size. */
  listLimit: number;
  /** Distinct filter combinations remembered; the cache is dropped and refilled past this. */
  maxEntries?: number;
}

/**
 * Evaluates each distinct combination of filters over the catalog once (a ~29k-item scan, well
 * under a millisecond) and remembers the result: a chat stream repeats a handful of combinations
 * (in stock, under N yen, a demographic), so the per-message cost is a Map lookup.
 */
export function createFilteredSets(items: readonly CatalogItem[], options: FilteredSetsOptions) {
  const maxEntries = options.maxEntries ?? 256;
  const positionById = new Map(items.map((item, position) => [item.id, position]));
  const cache = new Map<string, FilteredSet>();

  // The filterable fields as columns: a scan over typed arrays costs tens of microseconds where
  // one over the item objects costs a millisecond, which mattered for one-off price limits.
  const n = items.length;
  const price = Int32Array.from(items, (item) => item.synthetic.priceJpy);
  const inStock = Uint8Array.from(items, (item) => (item.synthetic.stock > 0 ? 1 : 0));
  const upcoming = Uint8Array.from(items, (item) => (item.synthetic.nextVolumeDate !== null ? 1 : 0));

  // The rarely set filters (category, language, demographic, genre) narrow the catalog to a few
  // stable subsets: each is found once with matchesFilters and kept as positions (to scan) and a
  // membership mask (to admit), so a one-off price limit on top of it scans only that subset.
  const subsets = new Map<string, { positions: Int32Array; member: Uint8Array }>();
  const subsetFor = (rest: ProductFilters) => {
    const key = filtersKey(rest);
    if (key === '') return null;
    let subset = subsets.get(key);
    if (!subset) {
      const found: number[] = [];
      const member = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        if (matchesFilters(items[i] as CatalogItem, rest)) {
          found.push(i);
          member[i] = 1;
        }
      }
      subset = { positions: Int32Array.from(found), member };
      if (subsets.size >= maxEntries) subsets.clear();
      subsets.set(key, subset);
    }
    return subset;
  };

  // A set is its predicate over the columns, its count and (when small) its ids: nothing the size
  // of the catalog is allocated per combination, so one-off price limits leave little for the GC.
  const compute = (filters: ProductFilters): FilteredSet => {
    const max = filters.maxPriceJpy ?? Number.POSITIVE_INFINITY;
    const min = filters.minPriceJpy ?? Number.NEGATIVE_INFINITY;
    const needStock = filters.inStock === true;
    const needUpcoming = filters.upcomingRelease === true;
    const subset = subsetFor({ category: filters.category, language: filters.language, demographic: filters.demographic, genre: filters.genre });
    const passes = (i: number): boolean => {
      const p = price[i] as number;
      return p <= max && p >= min && (!needStock || inStock[i] === 1) && (!needUpcoming || upcoming[i] === 1);
    };
    const size = subset ? subset.positions.length : n;
    let count = 0;
    let ids: string[] | null = [];
    for (let k = 0; k < size; k++) {
      const i = subset ? (subset.positions[k] as number) : k;
      if (!passes(i)) continue;
      count += 1;
      if (ids) {
        if (ids.length < options.listLimit) ids.push((items[i] as CatalogItem).id);
        else ids = null;
      }
    }
    const member = subset?.member;
    const admits = (id: string): boolean => {
      const position = positionById.get(id);
      return position !== undefined && (!member || member[position] === 1) && passes(position);
    };
    return { count, ids, admits };
  };

  return {
    get(filters: ProductFilters): FilteredSet {
      const key = filtersKey(filters);
      let set = cache.get(key);
      if (!set) {
        if (cache.size >= maxEntries) cache.clear();
        set = compute(filters);
        cache.set(key, set);
      }
      return set;
    },
  };
}

export type FilteredSets = ReturnType<typeof createFilteredSets>;
