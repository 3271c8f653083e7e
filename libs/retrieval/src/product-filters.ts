import type { CatalogItem } from '@manga-assist/catalog';
import type { ProductFilters } from '@manga-assist/contracts';

// `inStock: false` and `upcomingRelease: false` constrain nothing, like leaving them out: nobody
// asks for only the out-of-stock books, and the intent classifier only ever sets them to true.

/** Whether `item` passes every filter that is set. */
export function matchesFilters(item: CatalogItem, filters: ProductFilters): boolean {
  const s = item.synthetic;
  return (
    (filters.category === undefined || item.category === filters.category) &&
    (filters.language === undefined || item.language === filters.language) &&
    (filters.inStock !== true || s.stock > 0) &&
    (filters.maxPriceJpy === undefined || s.priceJpy <= filters.maxPriceJpy) &&
    (filters.minPriceJpy === undefined || s.priceJpy >= filters.minPriceJpy) &&
    (filters.demographic === undefined || item.demographic === filters.demographic) &&
    (filters.genre === undefined || item.genre === filters.genre) &&
    (filters.upcomingRelease !== true || s.nextVolumeDate !== null)
  );
}

/** Whether any filter constrains the result at all. */
export function hasFilters(filters: ProductFilters): boolean {
  return filtersKey(filters) !== '';
}

/** A canonical string for the constraints in `filters`, equal for equivalent filters; '' for none. */
export function filtersKey(filters: ProductFilters): string {
  const parts: string[] = [];
  if (filters.category !== undefined) parts.push(`category=${filters.category}`);
  if (filters.language !== undefined) parts.push(`language=${filters.language}`);
  if (filters.inStock === true) parts.push('inStock');
  if (filters.maxPriceJpy !== undefined) parts.push(`max=${filters.maxPriceJpy}`);
  if (filters.minPriceJpy !== undefined) parts.push(`min=${filters.minPriceJpy}`);
  if (filters.demographic !== undefined) parts.push(`demographic=${filters.demographic}`);
  if (filters.genre !== undefined) parts.push(`genre=${filters.genre}`);
  if (filters.upcomingRelease === true) parts.push('upcoming');
  return parts.join('&');
}
