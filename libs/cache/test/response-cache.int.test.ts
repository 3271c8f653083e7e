import { Redis } from 'ioredis';
import type { CacheScope } from '@manga-assist/contracts';
import { createHashedNgramEmbedder } from '@manga-assist/retrieval';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import { createResponseCache } from '../src';

const embedder = createHashedNgramEmbedder({ dimensions: 384 });
const trending: CacheScope = { intent: 'trending', filters: {}, titleIds: [], language: 'ja' };

describe('response cache', () => {
  const redis = new Redis(testRedisUrl());
  const keyPrefix = uniquePrefix('rc');
  const cache = createResponseCache({ redis, embed: embedder.embedSync, dimensions: embedder.dimensions, keyPrefix });

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
  });

  const write = (question: string, scope: CacheScope, answer = `answer to ${question}`, ttlSeconds = 60) =>
    cache.write({ question, answer, model: 'haiku', scope, ttlSeconds });

  it('finds the same question asked with other punctuation, width or spacing as an exact hit', async () => {
    await write('今週の人気マンガは？', trending, '今週の人気は…');
    const hit = await cache.lookup('今週の人気マンガは?', trending);
    expect(hit).toMatchObject({ kind: 'exact', answer: '今週の人気は…', model: 'haiku', similarity: 1 });
    expect(await cache.lookup('今週の　人気マンガは！', trending)).toMatchObject({ kind: 'exact' });
  });

  it('tells an answer the scheduler wrote ahead from one given to a question, exact or semantic', async () => {
    const scope: CacheScope = { intent: 'new_releases', filters: {}, titleIds: [], language: 'en' };
    await cache.write({ question: 'new manga releases this month', answer: 'Coming out…', model: 'haiku', scope, ttlSeconds: 60, precomputed: true });
    expect(await cache.lookup('new manga releases this month', scope)).toMatchObject({ kind: 'exact', precomputed: true });
    expect(await cache.lookup('the new manga releases this month', scope)).toMatchObject({ kind: 'semantic', precomputed: true });
    await write('new manga releases this month', scope, 'Answered once…');
    expect(await cache.lookup('new manga releases this month', scope)).toMatchObject({ kind: 'exact', precomputed: false, answer: 'Answered once…' });
  });

  it('finds a close paraphrase in the same scope as a semantic hit', async () => {
    const scope: CacheScope = { intent: 'recommendation', filters: { demographic: 'shonen', maxPriceJpy: 1000 }, titleIds: [], language: 'en' };
    await write('recommend a shonen manga under 1000 yen', scope, 'Try these shonen titles…');
    const hit = await cache.lookup('please recommend a shonen manga under 1000 yen', scope);
    expect(hit?.kind).toBe('semantic');
    expect(hit?.answer).toBe('Try these shonen titles…');
    expect(hit?.similarity).toBeGreaterThanOrEqual(0.85);
  });

  it('never answers a question from another scope, even with the same words', async () => {
    const under: CacheScope = { intent: 'recommendation', filters: { maxPriceJpy: 500 }, titleIds: [], language: 'en' };
    const over: CacheScope = { intent: 'recommendation', filters: { minPriceJpy: 500 }, titleIds: [], language: 'en' };
    await write('manga priced 500 yen', under, 'cheap ones');
    expect(await cache.lookup('manga priced 500 yen', over)).toBeNull();

    const ab: CacheScope = { intent: 'comparison', filters: {}, titleIds: ['C1', 'C2'], language: 'en' };
    const ba: CacheScope = { intent: 'comparison', filters: {}, titleIds: ['C2', 'C1'], language: 'en' };
    await write('compare ONE PIECE and NARUTO', ab, 'A first');
    expect(await cache.lookup('compare ONE PIECE and NARUTO', ba)).toBeNull();
  });

  it('does not hand an unrelated question in the same scope a cached answer', async () => {
    const scope: CacheScope = { intent: 'recommendation', filters: {}, titleIds: [], language: 'en' };
    await write('a cozy slice of life manga about cooking', scope, 'cooking');
    expect(await cache.lookup('a dark horror manga with zombies', scope)).toBeNull();
  });

  it('forgets an entry after its TTL', async () => {
    const scope: CacheScope = { intent: 'title_lookup', filters: {}, titleIds: ['C9'], language: 'ja' };
    await write('ワンピース 最新刊', scope, 'soon', 1);
    expect(await cache.lookup('ワンピース 最新刊', scope)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 1100));
    expect(await cache.lookup('ワンピース 最新刊', scope)).toBeNull();
  });

  it('refuses an answer over the size cap and keeps nothing of it', async () => {
    const small = createResponseCache({ redis, embed: embedder.embedSync, dimensions: embedder.dimensions, keyPrefix, maxEntryBytes: 2048 });
    const scope: CacheScope = { intent: 'chit_chat', filters: {}, titleIds: [], language: 'en' };
    const random = Array.from({ length: 4000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('');
    expect(await small.write({ question: 'tell me everything', answer: random, model: 'haiku', scope, ttlSeconds: 60 })).toBe('too_large');
    expect(await small.lookup('tell me everything', scope)).toBeNull();
  });

  it('holds an exact entry in memory once read, and drops it when the answer is rewritten', async () => {
    const reader = createResponseCache({ redis, embed: embedder.embedSync, dimensions: embedder.dimensions, keyPrefix, local: { maxBytes: 1024 * 1024 } });
    try {
      const scope: CacheScope = { intent: 'new_releases', filters: {}, titleIds: [], language: 'ja' };
      await write('今月の新刊は？', scope, '一回目');
      expect(reader.held('今月の新刊は？', scope)).toBeNull();
      await waitFor(async () => (await reader.lookup('今月の新刊は？', scope)) && reader.held('今月の新刊は？', scope), { description: 'entry held after a lookup' });
      // Width and punctuation do not matter to the held entry either.
      expect(reader.held('今月の新刊は?', scope)).toMatchObject({ kind: 'exact', answer: '一回目' });
      expect(reader.held('今月の新刊は？', { ...scope, language: 'en' })).toBeNull();

      await write('今月の新刊は？', scope, '二回目');
      await waitFor(() => reader.held('今月の新刊は？', scope) === null, { timeoutMs: 1000, intervalMs: 5, description: 'held entry dropped after the rewrite' });
      expect(await reader.lookup('今月の新刊は？', scope)).toMatchObject({ kind: 'exact', answer: '二回目' });
    } finally {
      await reader.close();
    }
  });

  it('rejects while Redis is down, so the caller can pass through', async () => {
    const down = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    const broken = createResponseCache({ redis: down, embed: embedder.embedSync, dimensions: embedder.dimensions, keyPrefix });
    await expect(broken.lookup('新刊', trending)).rejects.toThrow();
    down.disconnect();
  });
});
