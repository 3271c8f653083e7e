import type { CatalogItem } from '@manga-assist/catalog';

/**
 * The text a work is embedded from: what a customer might type to find it (title, its reading,
 * the creator and their reading) and its demographic. Never a synopsis: the catalog has none.
 */
export function itemEmbeddingText(item: CatalogItem): string {
  const parts = [item.title, item.titleReading, item.creator, item.creatorKana, item.demographic];
  return parts.filter((part): part is string => part !== null && part !== '').join(' ');
}
