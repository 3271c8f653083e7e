// What users ask about and what is trending, shared between processes through the real Redis.
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@manga-assist/testing';
import { createAskedCounters, createTrendingStore } from '../src';

describe('popularity signals in Redis', () => {
  const redis = new Redis(testRedisUrl());
  // A second connection stands for another process.
  const other = new Redis(testRedisUrl());
  const keyPrefix = uniquePrefix('popularity');

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
    other.disconnect();
  });

  it('counts asked titles per hour and sums the last day, most asked first', async () => {
    const asked = createAskedCounters({ redis, keyPrefix });
    const now = new Date('2026-11-24T12:30:00Z');
    await asked.record(['C1', 'C2'], now);
    await asked.record(['C2'], new Date('2026-11-24T09:00:00Z'));
    await asked.record(['C3', 'C3', 'C3'], new Date('2026-11-22T12:00:00Z')); // older than a day
    expect(await asked.top(10, 24, now)).toEqual([
      { id: 'C2', count: 2 },
      { id: 'C1', count: 1 },
    ]);
  });

  it('shares the computed trending list between processes', async () => {
    const scheduler = createTrendingStore({ redis, keyPrefix });
    const gateway = createTrendingStore({ redis: other, keyPrefix, refreshMs: 0 });
    expect(await gateway.read()).toBeNull();
    await scheduler.write(['C3', 'C1', 'C2'], 60);
    expect(await gateway.read()).toEqual(['C3', 'C1', 'C2']);
  });
});
