// The health checker run in-process through createApp, as main.ts wires it, on the real Redis: it
// listens, turns ready after its first probe round, reports a local endpoint as an operator sees it
// (over tRPC and in Redis for the gateway's ops page), sees that endpoint go down, and stop() closes
// the port and the Redis connection.
import { Redis } from 'ioredis';
import { loadConfig } from '@manga-assist/config';
import { HealthReportSchema } from '@manga-assist/contracts';
import { createRedisConnection } from '@manga-assist/redis';
import { createServiceClient } from '@manga-assist/rpc';
import type { HealthCheckerRouter } from '@manga-assist/rpc';
import type { RunningService } from '@manga-assist/server';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { deleteKeysWithPrefix, freePort, startTestServer, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import type { TestServer } from '@manga-assist/testing';
import { createApp } from '../src/app';
import type { HealthCheckerApp } from '../src/app';
import { healthCheckerConfigSchema } from '../src/config';

jest.setTimeout(30_000);

const CONTROL_TOKEN = 'control-token-for-tests-0123456789';

describe('health checker in-process (createApp)', () => {
  const keyPrefix = uniquePrefix('hcapp');
  const admin = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  let gateway: TestServer;
  let aws: TestServer;
  let app: HealthCheckerApp;
  let service: RunningService;
  let appRedis: Redis;

  beforeAll(async () => {
    await admin.connect();
    gateway = await startTestServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? 200 : 404;
      res.end('{"status":"alive"}');
    });
    // What DynamoDB and Kinesis answer to a request without an operation: reachable.
    aws = await startTestServer((_req, res) => {
      res.statusCode = 400;
      res.end('{"__type":"com.amazon.coral.service#UnknownOperationException"}');
    });
    const config = loadConfig(healthCheckerConfigSchema, {
      CONTROL_TOKEN,
      HOST: '127.0.0.1',
      HEALTH_CHECKER_PORT: String(await freePort()),
      REDIS_URL: testRedisUrl(),
      KEY_PREFIX: keyPrefix,
      HEALTH_MODE: 'local',
      DYNAMODB_ENDPOINT: aws.url,
      KINESIS_ENDPOINT: aws.url,
      GATEWAY_URL: gateway.url,
      // Rounds only when the test asks for one after the first.
      PROBE_INTERVAL_MS: '60000',
      PROBE_RECHECK_MS: '60000',
      // Maxima a busy test machine stays under; the verdicts below are about failures, not speed.
      HEALTH_ENDPOINTS: JSON.stringify(
        ['redis', 'dynamodb', 'kinesis', 'chat-gateway'].map((name) => ({ name, expected: { connectMs: 500, httpMs: 1000 } })),
      ),
    });
    const logger = createLogger({ app: 'health-checker', level: 'silent' });
    const registry = createMetricsRegistry('health-checker');
    const redis = createRedisConnection({ url: config.REDIS_URL, name: 'health-checker', logger, registry });
    appRedis = redis.redis;
    app = createApp({ config, logger, registry, redis });
    service = await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await gateway?.close();
    await aws?.close();
    await deleteKeysWithPrefix(admin, keyPrefix);
    admin.disconnect();
  });

  it('listens where its config says and turns ready once the first probe round has finished', async () => {
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await waitFor(async () => (await fetch(`${service.url}/readyz`)).status === 200, { timeoutMs: 10_000, intervalMs: 100 });
    expect(await (await fetch(`${service.url}/readyz`)).json()).toMatchObject({ app: 'health-checker', ready: true, reason: null });
  });

  it('reports every endpoint healthy over tRPC', async () => {
    const client = createServiceClient<HealthCheckerRouter>({ baseUrl: service.url });
    const report = (await client.report.query())!;
    expect(report).toMatchObject({ mode: 'local', round: 1, status: 'healthy', counts: { healthy: 4 } });
    const gatewayEntry = report.endpoints.find((e) => e.endpoint === 'chat-gateway');
    expect(gatewayEntry).toMatchObject({ status: 'healthy', tcp: { error: null }, http: { statusCode: 200 } });
  });

  it('sees the gateway go down on the next round and keeps that report in Redis for the ops page', async () => {
    const gatewayPort = new URL(gateway.url).port;
    await gateway.close();
    const operator = createServiceClient<HealthCheckerRouter>({ baseUrl: service.url, controlToken: CONTROL_TOKEN, timeoutMs: 10_000 });
    const report = await operator.probeNow.mutate();
    expect(report).toMatchObject({ round: 2, status: 'unhealthy', counts: { healthy: 3, unhealthy: 1 } });
    const down = report.endpoints.find((e) => e.endpoint === 'chat-gateway')!;
    expect(down.status).toBe('unhealthy');
    expect(down.notes[0]).toMatch(new RegExp(`^TCP connect to 127\\.0\\.0\\.1:${gatewayPort} failed \\(ECONNREFUSED\\)`));

    const stored = HealthReportSchema.parse(JSON.parse((await admin.get(`${keyPrefix}health:report`))!));
    expect(stored).toMatchObject({ round: 2, status: 'unhealthy' });
  });

  it('stops: the port refuses connections and its Redis connection is closed', async () => {
    await app.stop();
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
    // QUIT is answered before the socket closes.
    await waitFor(() => appRedis.status === 'end', { timeoutMs: 2000, description: 'the Redis connection closed' });
    await expect(appRedis.ping()).rejects.toThrow('Connection is closed');
  });
});
