// A catalog change to a title deletes the cached answers that named it, and only those.
import { Redis } from 'ioredis';
import type { CacheScope } from '@manga-assist/contracts';
import { createHashedNgramEmbedder } from '@manga-assist/retrieval';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@manga-assist/testing';
import { createResponseCache, invalidateCachedTitles } from '../src';

const embedder = createHashedNgramEmbedder({ dimensions: 384 });
const about = (...titleIds: string[]): CacheScope => ({ intent: 'title_lookup', filters: {}, titleIds, language: 'ja' });

describe('cached answers by title', () => {
  const redis = new Redis(testRedisUrl());
  const keyPrefix = uniquePrefix('rc-title');
  const cache = createResponseCache({ redis, embed: embedder.embedSync, dimensions: embedder.dimensions, keyPrefix });

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
  });

  it('deletes every answer whose scope named a changed title, exact and semantic, and keeps the rest', async () => {
    const write = (question: string, scope: CacheScope) => cache.write({ question, answer: `answer to ${question}`, model: 'haiku', scope, ttlSeconds: 60 });
    await write('進撃の巨人の値段は？', about('C1'));
    await write('進撃の巨人とワンピースを比べて', about('C1', 'C2'));
    await write('ワンピースの値段は？', about('C2'));

    expect(await invalidateCachedTitles(redis, keyPrefix, ['C1'])).toBe(2);

    expect(await cache.lookup('進撃の巨人の値段は？', about('C1'))).toBeNull();
    expect(await cache.lookup('進撃の巨人の値段はいくら？', about('C1'))).toBeNull();
    expect(await cache.lookup('進撃の巨人とワンピースを比べて', about('C1', 'C2'))).toBeNull();
    expect(await cache.lookup('ワンピースの値段は？', about('C2'))).toMatchObject({ kind: 'exact', answer: 'answer to ワンピースの値段は？' });
    expect(await invalidateCachedTitles(redis, keyPrefix, ['C1'])).toBe(0);
  });
});
