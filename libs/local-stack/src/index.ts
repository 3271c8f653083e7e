export { startLocalStack } from './start-local-stack';
export type { LocalStack, LocalStackOptions } from './start-local-stack';
export { DEFAULT_REDIS_URL, REDIS_INSTALL_HINT, resolveRedis } from './resolve-redis';
export type { ResolvedRedis, ResolveRedisOptions } from './resolve-redis';
export { importCatalog, readCatalogMarker } from './import-catalog';
export type { CatalogMarker, CatalogRow, ImportCatalogOptions, ImportCatalogResult } from './import-catalog';
export { catalogFileSource, syncCatalog } from './catalog-source';
export type { CatalogSource, SyncCatalogOptions } from './catalog-source';
