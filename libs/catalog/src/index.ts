// Runtime API of the store catalog. The CSV → catalog build is tooling (tools/catalog), so apps
// never load the CSV parser.
export {
  CATALOG_ITEM_KEYS,
  CatalogItemSchema,
  DEMOGRAPHICS,
  SYNTHETIC_FIELD_KEYS,
  SyntheticStoreFieldsSchema,
} from './catalog-item.schema';
export type { CatalogItem, Demographic } from './catalog-item.schema';
export { CATALOG_RELATIVE_PATH, CatalogLoadError, catalogHash, defaultCatalogPath, loadCatalog } from './load-catalog';
export type { Catalog } from './load-catalog';
export { compactText, katakanaToHiragana, normalizeText } from './normalize';
export {
  CATALOG_REFERENCE_DATE,
  SYNTHETIC_RANGES,
  SYNTHETIC_SEED,
  fnv1a32,
  generateSyntheticFields,
  mulberry32,
  seededRandom,
} from './synthetic';
export type { SyntheticInput, SyntheticOptions, SyntheticStoreFields } from './synthetic';
export { makeCatalogItem } from './make-catalog-item';
export type { CatalogItemInput } from './make-catalog-item';
