export { cacheKeyFor } from './cache-key';
export type { CacheKey } from './cache-key';
export { cosine, createLsh } from './lsh';
export type { Lsh } from './lsh';
export { createResponseCache, invalidateCachedTitles } from './response-cache';
export type { CacheHit, CacheLogger, CacheWrite, CacheWriteResult, ResponseCache, ResponseCacheOptions } from './response-cache';
export { createLocalEntries } from './local-entries';
export type { LocalEntries, LocalEntriesLogger, LocalEntriesOptions } from './local-entries';
export { createSharedResponseCache, invalidateSharedTitles } from './shared-response-cache';
