import { Redis } from 'ioredis';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '../src';

describe('uniquePrefix + deleteKeysWithPrefix (real Redis)', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const track = (label: string): string => {
    const prefix = uniquePrefix(label);
    prefixes.push(prefix);
    return prefix;
  };

  beforeAll(() => {
    redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('gives every call a different prefix naming the label and this process', () => {
    const a = uniquePrefix('cache');
    const b = uniquePrefix('cache');
    expect(a).not.toBe(b);
    expect(a).toMatch(new RegExp(`^t:cache:${process.pid}:[0-9a-f]{8}:$`));
  });

  it('deletes every key under a prefix across SCAN pages and nothing else', async () => {
    const mine = track('cleanup');
    const neighbour = track('cleanup');
    const pipeline = redis.pipeline();
    for (let i = 0; i < 1200; i++) pipeline.set(`${mine}k${i}`, 'v');
    pipeline.hset(`${mine}hash`, 'f', 'v');
    pipeline.set(`${neighbour}k`, 'v');
    await pipeline.exec();

    await expect(deleteKeysWithPrefix(redis, mine, { count: 100 })).resolves.toBe(1201);
    expect(await redis.exists(`${mine}k0`, `${mine}k1199`, `${mine}hash`)).toBe(0);
    expect(await redis.get(`${neighbour}k`)).toBe('v');
  });

  it('treats glob characters in a prefix literally', async () => {
    const base = track('glob');
    await redis.set(`${base}a*b:1`, 'v');
    await redis.set(`${base}aXb:1`, 'v');
    expect(await deleteKeysWithPrefix(redis, `${base}a*b:`)).toBe(1);
    expect(await redis.get(`${base}aXb:1`)).toBe('v');
  });

  it('refuses an empty prefix, which would empty the shared instance', async () => {
    await expect(deleteKeysWithPrefix(redis, '')).rejects.toThrow(/empty prefix/);
  });
});
