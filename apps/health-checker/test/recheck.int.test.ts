// While an endpoint is unhealthy the checker looks again every PROBE_RECHECK_MS instead of waiting
// out the interval, so an operator sees a recovery in seconds: here the gateway is down at the
// first round and comes up afterwards, with a 60 s interval that would otherwise hide it for a
// minute.
import http from 'node:http';
import { Redis } from 'ioredis';
import { loadConfig } from '@manga-assist/config';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { deleteKeysWithPrefix, freePort, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import { healthCheckerConfigSchema } from '../src/config';
import { createHealthChecker } from '../src/health-checker';
import type { HealthChecker } from '../src/health-checker';

describe('re-checks while unhealthy', () => {
  const keyPrefix = uniquePrefix('recheck');
  const redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  let checker: HealthChecker;
  let gateway: http.Server | undefined;

  afterAll(async () => {
    await checker?.stop();
    await new Promise((resolve) => (gateway ? gateway.close(resolve) : resolve(undefined)));
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
  });

  it('sees the gateway come back within seconds, then goes back to the interval', async () => {
    await redis.connect();
    const port = await freePort();
    const config = loadConfig(healthCheckerConfigSchema, {
      CONTROL_TOKEN: 'control-token-for-tests-0123456789',
      REDIS_URL: testRedisUrl(),
      KEY_PREFIX: keyPrefix,
      HEALTH_MODE: 'local',
      GATEWAY_URL: `http://127.0.0.1:${port}`,
      HEALTH_AZ: 'local-1a',
      PROBE_INTERVAL_MS: '60000',
      PROBE_RECHECK_MS: '200',
      HEALTH_ENDPOINTS: JSON.stringify([
        { name: 'redis', enabled: false },
        { name: 'dynamodb', enabled: false },
        { name: 'kinesis', enabled: false },
        { name: 'chat-gateway', expected: { connectMs: 500, httpMs: 1000 } },
      ]),
    });
    checker = await createHealthChecker({ config, logger: createLogger({ app: 'health-checker', level: 'silent' }), registry: createMetricsRegistry('health-checker'), redis });
    checker.start();
    const first = await waitFor(() => checker.runner.latest(), { timeoutMs: 10_000, description: 'the first report' });
    expect(first.endpoints.map((e) => [e.endpoint, e.status])).toEqual([['chat-gateway', 'unhealthy']]);

    gateway = http.createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? 200 : 404;
      res.end('{"status":"alive"}');
    });
    await new Promise<void>((resolve) => gateway!.listen(port, '127.0.0.1', resolve));
    const recovered = await waitFor(() => (checker.runner.latest()?.status === 'healthy' ? checker.runner.latest() : null), {
      timeoutMs: 10_000,
      intervalMs: 50,
      description: 'the gateway healthy again, long before the 60 s interval',
    });
    expect(recovered.round).toBeGreaterThan(1);

    // Healthy again: the next round waits out the interval.
    const settled = recovered.round;
    await new Promise((r) => setTimeout(r, 1000));
    expect(checker.runner.latest()?.round).toBe(settled);
  });
});
