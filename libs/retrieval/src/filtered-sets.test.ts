import { fixtureCatalog } from '../test/fixtures/catalog-fixture';
import { createFilteredSets } from './filtered-sets';
import { matchesFilters } from './product-filters';

const catalog = fixtureCatalog();

describe('filtered sets', () => {
  it('admits exactly the items the filters match', () => {
    const sets = createFilteredSets(catalog.items, { listLimit: 10_000 });
    const cases = [
      { maxPriceJpy: 600 },
      { inStock: true, minPriceJpy: 500 },
      { demographic: 'shonen' as const, maxPriceJpy: 800 },
      // The same subset again under another limit, and with the other column filters.
      { demographic: 'shonen' as const, maxPriceJpy: 500, inStock: true },
      { upcomingRelease: true, demographic: 'shonen' as const },
    ];
    for (const filters of cases) {
      const expected = catalog.items.filter((item) => matchesFilters(item, filters)).map((item) => item.id);
      const set = sets.get(filters);
      expect(set.count).toBe(expected.length);
      expect(set.ids).toEqual(expected);
      for (const item of catalog.items) expect(set.admits(item.id)).toBe(expected.includes(item.id));
    }
  });

  it('lists ids only for sets within the list limit, and admits no unknown id', () => {
    const sets = createFilteredSets(catalog.items, { listLimit: 3 });
    const all = sets.get({ maxPriceJpy: 1_000_000 });
    expect(all.count).toBe(catalog.items.length);
    expect(all.ids).toBeNull();
    expect(all.admits('no-such-id')).toBe(false);
    const expensive = [...catalog.items].sort((a, b) => b.synthetic.priceJpy - a.synthetic.priceJpy).slice(0, 2);
    const few = sets.get({ minPriceJpy: expensive[1]!.synthetic.priceJpy });
    const expected = catalog.items.filter((item) => item.synthetic.priceJpy >= expensive[1]!.synthetic.priceJpy).map((item) => item.id);
    expect(expected.length).toBeLessThanOrEqual(3);
    expect(few.ids).toEqual(expected);
  });
});
