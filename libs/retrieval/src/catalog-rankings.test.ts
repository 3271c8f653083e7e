import { fixtureCatalog, makeCatalog, makeItem } from '../test/fixtures/catalog-fixture';
import { createCatalogRankings } from './catalog-rankings';

const rankings = createCatalogRankings(fixtureCatalog().items);
const ids = (items: { id: string }[]) => items.map((item) => item.id);

describe('createCatalogRankings', () => {
  it('ranks best sellers first', () => {
    expect(ids(rankings.topBySales(3))).toEqual(['C87818', 'C91061', 'C88001']);
  });

  it('applies filters while walking the sales order', () => {
    expect(ids(rankings.topBySales(2, { maxPriceJpy: 500 }))).toEqual(['C88001', 'C90001']);
    expect(ids(rankings.topBySales(5, { demographic: 'seinen' }))).toEqual(['C90005']);
  });

  it('breaks sales ties by id, so the list never reshuffles', () => {
    const tied = createCatalogRankings(
      makeCatalog([
        makeItem({ id: 'C3', title: 'c', synthetic: { weeklySales: 5 } }),
        makeItem({ id: 'C1', title: 'a', synthetic: { weeklySales: 5 } }),
        makeItem({ id: 'C2', title: 'b', synthetic: { weeklySales: 9 } }),
      ]).items,
    );
    expect(ids(tied.topBySales(3))).toEqual(['C2', 'C1', 'C3']);
  });

  it('lists announced next volumes soonest first', () => {
    expect(ids(rankings.newReleases(10))).toEqual(['C87818', 'C90004', 'C91061', 'C90001']);
    expect(ids(rankings.newReleases(10, { inStock: true }))).toEqual(['C87818', 'C91061', 'C90001']);
  });
});
