import { fixtureCatalog } from '../test/fixtures/catalog-fixture';
import { filtersKey, hasFilters, matchesFilters } from './product-filters';

const { byId } = fixtureCatalog();
const item = (id: string) => byId.get(id)!;

describe('matchesFilters', () => {
  it('reads stock, price, release and demographic from the catalog fields', () => {
    const shingeki = item('C91061'); // 528 yen, 40 in stock, next volume 2026-11-20, shonen
    expect(matchesFilters(shingeki, { inStock: true, maxPriceJpy: 528, minPriceJpy: 528, upcomingRelease: true })).toBe(true);
    expect(matchesFilters(shingeki, { demographic: 'shonen', category: 'manga', language: 'ja' })).toBe(true);
    expect(matchesFilters(shingeki, { maxPriceJpy: 527 })).toBe(false);
    expect(matchesFilters(shingeki, { minPriceJpy: 529 })).toBe(false);
    expect(matchesFilters(shingeki, { demographic: 'seinen' })).toBe(false);
    expect(matchesFilters(shingeki, { language: 'en' })).toBe(false);
    expect(matchesFilters(shingeki, { genre: 'action' })).toBe(false);
    expect(matchesFilters(item('C91062'), { inStock: true })).toBe(false);
    expect(matchesFilters(item('C87855'), { upcomingRelease: true })).toBe(false);
  });

  it('treats a false flag like no flag', () => {
    expect(matchesFilters(item('C91061'), { inStock: false, upcomingRelease: false })).toBe(true);
    expect(matchesFilters(item('C91062'), { inStock: false })).toBe(true);
  });
});

describe('filtersKey', () => {
  it('is the same for equivalent filters and empty for none', () => {
    expect(filtersKey({ maxPriceJpy: 800, inStock: true })).toBe(filtersKey({ inStock: true, maxPriceJpy: 800 }));
    expect(filtersKey({ inStock: false, upcomingRelease: false })).toBe('');
    expect(hasFilters({})).toBe(false);
    expect(hasFilters({ inStock: false })).toBe(false);
    expect(hasFilters({ demographic: 'shojo' })).toBe(true);
    expect(filtersKey({ maxPriceJpy: 800 })).not.toBe(filtersKey({ minPriceJpy: 800 }));
  });
});
