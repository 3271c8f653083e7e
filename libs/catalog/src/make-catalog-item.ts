import type { CatalogItem } from './catalog-item.schema';

export type CatalogItemInput = Pick<CatalogItem, 'id' | 'title'> &
  Partial<Omit<CatalogItem, 'id' | 'title' | 'synthetic'>> & { synthetic?: Partial<CatalogItem['synthetic']> };

/**
 * A catalog item with neutral defaults for the fields a caller does not care about (tests, benches
 * and fixtures that make items of their own).
 */
export function makeCatalogItem(input: CatalogItemInput): CatalogItem {
  return {
    madbIds: [input.id],
    titleKana: input.titleReading ?? null,
    titleReading: null,
    creator: null,
    creatorKana: null,
    originalWorkCreator: null,
    originalWorkCreatorKana: null,
    firstPublished: null,
    demographic: null,
    genre: null,
    category: 'manga',
    language: 'ja',
    madbUri: `https://mediaarts-db.artmuseums.go.jp/id/${input.id}`,
    ...input,
    synthetic: { priceJpy: 600, stock: 10, weeklySales: 100, volumes: 10, nextVolumeDate: null, ...input.synthetic },
  };
}
