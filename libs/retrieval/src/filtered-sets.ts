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
  // stable subsets: each is found once with matchesFilters and kept as positions, so a one-off
  // price limit on top of it scans only that subset's typed-array columns.
  const subsets = new Map<string, Int32Array>();
  const subsetFor = (rest: ProductFilters): Int32Array | null => {
    const key = filtersKey(rest);
    if (key === '') return null;
    let positions = subsets.get(key);
    if (!positions) {
      const found: number[] = [];
      for (let i = 0; i < n; i++) if (matchesFilters(items[i] as CatalogItem, rest)) found.push(i);
      positions = Int32Array.from(found);
      if (subsets.size >= maxEntries) subsets.clear();
      subsets.set(key, positions);
    }
    return positions;
  };

  const compute = (filters: ProductFilters): FilteredSet => {
    const mask = new Uint8Array(n);
    const max = filters.maxPriceJpy ?? Number.POSITIVE_INFINITY;
    const min = filters.minPriceJpy ?? Number.NEGATIVE_INFINITY;
    const needStock = filters.inStock === true;
    const needUpcoming = filters.upcomingRelease === true;
    const subset = subsetFor({ category: filters.category, language: filters.language, demographic: filters.demographic, genre: filters.genre });
    const size = subset ? subset.length : n;
    let count = 0;
    for (let k = 0; k < size; k++) {
      const i = subset ? (subset[k] as number) : k;
      const p = price[i] as number;
      if (p > max || p < min || (needStock && inStock[i] === 0) || (needUpcoming && upcoming[i] === 0)) continue;
      mask[i] = 1;
      count += 1;
    }
    let ids: string[] | null = null;
    if (count <= options.listLimit) {
      ids = [];
      for (let k = 0; k < size && ids.length < count; k++) {
        const i = subset ? (subset[k] as number) : k;
        if (mask[i]) ids.push((items[i] as CatalogItem).id);
      }
    }
    const admits = (id: string): boolean => {
      const position = positionById.get(id);
      return position !== undefined && mask[position] === 1;
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
