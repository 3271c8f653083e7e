// The scheduler run in-process through createApp against the real Redis: its first round fills the
// shared cache, so the gateway's lookup finds a common question answered before anyone asked.
import { Redis } from 'ioredis';
import { createSharedResponseCache } from '@manga-assist/cache';
import { cacheScopeFor } from '@manga-assist/chat';
import { loadConfig } from '@manga-assist/config';
import { createModelProviderFromConfig, modelProviderConfig } from '@manga-assist/fm';
import { createClassifier } from '@manga-assist/intent';
import { TEST_APP_ENV, TEST_CONTROL_TOKEN } from '@manga-assist/local-stack';
import { createConnectionPool } from '@manga-assist/pools';
import { createRedisConnection } from '@manga-assist/redis';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { deleteKeysWithPrefix, freePort, testRedisUrl, uniquePrefix } from '@manga-assist/testing';
import { createApp } from '../src/app';
import type { SchedulerApp } from '../src/app';
import { schedulerConfigSchema } from '../src/config';

jest.setTimeout(120_000);

describe('prefetch scheduler in-process', () => {
  const keyPrefix = `${uniquePrefix('sched-app')}:`;
  const redis = new Redis(testRedisUrl());
  let app: SchedulerApp;

  beforeAll(async () => {
    const config = loadConfig(schedulerConfigSchema, {
      REDIS_URL: testRedisUrl(),
      CONTROL_TOKEN: TEST_CONTROL_TOKEN,
      KEY_PREFIX: keyPrefix,
      SCHEDULER_PORT: String(await freePort()),
      ...TEST_APP_ENV,
      TOP_TITLES_COUNT: '2',
      // The first round runs before the test starts: no first-token wait.
      LOCAL_HAIKU_FIRST_TOKEN_MS: '0',
      LOCAL_SONNET_FIRST_TOKEN_MS: '0',
    });
    const logger = createLogger({ app: 'prefetch-scheduler', level: 'warn' });
    const registry = createMetricsRegistry('prefetch-scheduler', { defaultMetrics: false });
    const pools = { model: createConnectionPool({ name: 'model', registry }), search: createConnectionPool({ name: 'search', registry }) };
    const connection = createRedisConnection({ url: config.REDIS_URL, name: 'sched-app-test', logger, registry });
    const model = createModelProviderFromConfig(modelProviderConfig(config), { pool: pools.model });
    app = createApp({
      config,
      logger,
      registry,
      redis: connection,
      model,
      pools,
      handleSignals: false,
      shutdown: [
        { name: 'model', run: () => model.close() },
        { name: 'pools', run: () => [pools.model, pools.search].forEach((p) => p.destroy()) },
        { name: 'redis', run: () => connection.close() },
      ],
    });
    await app.start();
    await app.scheduled();
  });

  afterAll(async () => {
    await app?.stop();
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
  });

  it('has answered the most common questions before anyone asked', async () => {
    const cache = createSharedResponseCache({ redis, keyPrefix });
    const classifier = createClassifier({ lookupTitles: () => [] });
    for (const question of ['今週の人気マンガは？', '新刊']) {
      const hit = await cache.lookup(question, cacheScopeFor(classifier.classify(question), question));
      expect(hit).toMatchObject({ kind: 'exact', question });
      expect(hit!.answer.length).toBeGreaterThan(10);
    }
    await cache.close();
  });
});
