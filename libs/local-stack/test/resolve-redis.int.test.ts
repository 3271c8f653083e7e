import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestLogger, freePort, testRedisUrl } from '@manga-assist/testing';
import { resolveRedis } from '../src';
import { pingRedis } from '../src/redis-ping';

const answers = (url: string): Promise<boolean> =>
  pingRedis(url).then(
    () => true,
    () => false,
  );

describe('resolveRedis', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'resolve-redis-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('fails naming REDIS_URL when the given Redis does not answer', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    await expect(resolveRedis({ redisUrl: url, dataDir, log: createTestLogger() })).rejects.toThrow(
      new RegExp(`^REDIS_URL ${url} does not answer PING: .*ECONNREFUSED`),
    );
  });

  it('uses a REDIS_URL that answers and never stops it', async () => {
    const redis = await resolveRedis({ redisUrl: testRedisUrl(), dataDir, log: createTestLogger() });
    expect(redis).toMatchObject({ url: testRedisUrl(), startedByUs: false });
    await redis.stop();
    expect(await answers(testRedisUrl())).toBe(true);
  });

  it('spawns redis-server on a free port when nothing answers, and stops it', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const log = createTestLogger();
    const redis = await resolveRedis({ dataDir, log, defaultUrl: nobody });
    try {
      expect(redis.startedByUs).toBe(true);
      expect(redis.url).not.toBe(nobody);
      expect(await answers(redis.url)).toBe(true);
      expect(log.messages()).toContain('started redis-server (no persistence)');
    } finally {
      await redis.stop();
    }
    expect(await answers(redis.url)).toBe(false);
  });

  it('says in one line how to get Redis when none runs and redis-server is missing', async () => {
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const error = await resolveRedis({
      dataDir,
      log: createTestLogger(),
      defaultUrl: nobody,
      redisServer: 'redis-server-not-installed',
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).toMatch(/apt-get install redis-server.*brew install redis.*REDIS_URL/);
  });
});
