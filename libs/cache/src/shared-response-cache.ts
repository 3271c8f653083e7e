import type { Redis } from 'ioredis';
import { createQuestionEmbedder } from '@manga-assist/retrieval';
import { createResponseCache, invalidateCachedTitles } from './response-cache';
import type { CacheLogger, ResponseCache, ResponseCacheOptions } from './response-cache';

/**
 * The response cache as every app uses it: the shared question embedder (the gateway's lookup and
 * every writer must embed alike), keys under `${keyPrefix}rc:`. Readers on the request path pass
 * `local` to hold exact entries in memory.
 */
export function createSharedResponseCache({ redis, keyPrefix, threshold, log, local }: { redis: Redis; keyPrefix: string; threshold?: number; log?: CacheLogger; local?: ResponseCacheOptions['local'] }): ResponseCache {
  const embedder = createQuestionEmbedder();
  return createResponseCache({ redis, embed: embedder.embedSync, dimensions: embedder.dimensions, keyPrefix: `${keyPrefix}rc:`, threshold, log, local });
}

/** Deletes the shared cache's answers that named any of `titleIds` (see `invalidateCachedTitles`). */
export function invalidateSharedTitles(redis: Redis, keyPrefix: string, titleIds: readonly string[]): Promise<number> {
  return invalidateCachedTitles(redis, `${keyPrefix}rc:`, titleIds);
}
