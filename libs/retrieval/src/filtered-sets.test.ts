import { fixtureCatalog } from '../test/fixtures/catalog-fixture';
import { createFilteredSets } from './filtered-sets';
import { matchesFilters } from './product-filters';

const catalog = fixtureCatalog();

describe('filtered sets', () => {
  it('admits exactly the items the filters match', () => {
    const sets = createFilteredSets(catalog.items, { listLimit: 10_000 });
    for (const filters of [{ maxPriceJpy: 600 }, { inStock: true, minPriceJpy: 500 }, { demographic: 'shonen' as const, maxPriceJpy: 800 }]) {
      const expected = catalog.items.filter((item) => matchesFilters(item, filters)).map((item) => item.id);
      const set = sets.get(filters);
      expect(set.count).toBe(expected.length);
      expect(set.ids).toEqual(expected);
      for (const item of catalog.items) expect(set.admits(item.id)).toBe(expected.includes(item.id));
    }
  });
});
