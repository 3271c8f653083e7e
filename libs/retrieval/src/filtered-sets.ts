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

  const compute = (filters: ProductFilters): FilteredSet => {
    const mask = new Uint8Array(items.length);
    let count = 0;
    for (let i = 0; i < items.length; i++) {
      if (matchesFilters(items[i], filters)) {
        mask[i] = 1;
        count += 1;
      }
    }
    let ids: string[] | null = null;
    if (count <= options.listLimit) {
      ids = [];
      for (let i = 0; i < items.length; i++) if (mask[i]) ids.push(items[i].id);
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
