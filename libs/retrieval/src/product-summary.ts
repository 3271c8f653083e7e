import type { CatalogItem } from '@manga-assist/catalog';
import type { ProductSummary } from '@manga-assist/contracts';

/** The fields a prompt, a cached answer or a search result carries; everything else stays in the catalog. */
export function toProductSummary(item: CatalogItem): ProductSummary {
  return {
    id: item.id,
    title: item.title,
    creator: item.creator,
    priceJpy: item.synthetic.priceJpy,
    inStock: item.synthetic.stock > 0,
    demographic: item.demographic,
    nextVolumeDate: item.synthetic.nextVolumeDate,
  };
}
