import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { TRPCClientError } from '@trpc/client';
import { loadConfig } from '@manga-assist/config';
import { HealthReportSchema } from '@manga-assist/contracts';
import { createHealthCheckerRouter, createServiceClient } from '@manga-assist/rpc';
import type { HealthCheckerRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import type { RunningService } from '@manga-assist/server';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { deleteKeysWithPrefix, freePort, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import { healthCheckerConfigSchema } from '../src/config';
import { createHealthChecker } from '../src/health-checker';
import type { HealthChecker } from '../src/health-checker';

const CONTROL_TOKEN = 'control-token-for-tests-0123456789';

async function httpServer(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('health checker app', () => {
  const keyPrefix = uniquePrefix('health');
  const redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  let service: RunningService;
  let checker: HealthChecker;
  let gateway: Awaited<ReturnType<typeof httpServer>>;
  let dynamodb: Awaited<ReturnType<typeof httpServer>>;
  let gatewayDelayMs = 300;

  beforeAll(async () => {
    await redis.connect();
    gateway = await httpServer((req, res) => {
      setTimeout(() => {
        res.statusCode = req.url === '/healthz' ? 200 : 404;
        res.end('{"status":"alive"}');
      }, gatewayDelayMs);
    });
    dynamodb = await httpServer((_req, res) => {
      res.statusCode = 400;
      res.end('{"__type":"com.amazon.coral.service#UnknownOperationException"}');
    });
    const config = loadConfig(healthCheckerConfigSchema, {
      CONTROL_TOKEN,
      REDIS_URL: testRedisUrl(),
      KEY_PREFIX: keyPrefix,
      HEALTH_MODE: 'local',
      DYNAMODB_ENDPOINT: dynamodb.url,
      // Nothing listens there: kinesalite is "down".
      KINESIS_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      GATEWAY_URL: gateway.url,
      HEALTH_AZ: 'local-1a',
      PROBE_INTERVAL_MS: '60000',
      // Kinesis stays down here: no early re-checks, so the round numbers below are the test's own.
      PROBE_RECHECK_MS: '60000',
      // Maxima a busy test machine stays under; the verdicts below are about failures, not speed.
      HEALTH_ENDPOINTS: JSON.stringify(
        ['redis', 'dynamodb', 'kinesis', 'chat-gateway'].map((name) => ({ name, expected: { connectMs: 500, httpMs: 1000 } })),
      ),
    });
    const logger = createLogger({ app: 'health-checker', level: 'silent' });
    const registry = createMetricsRegistry('health-checker');
    checker = await createHealthChecker({ config, logger, registry, redis });
    service = await startService({
      app: 'health-checker',
      version: '0.1.0',
      host: '127.0.0.1',
      port: 0,
      logger,
      registry,
      controlToken: CONTROL_TOKEN,
      checks: [{ name: 'redis', check: async () => void (await redis.ping()) }, ...checker.checks],
      router: (deps) => createHealthCheckerRouter(checker.routerDeps(deps)),
      shutdown: [{ name: 'probes', run: () => checker.stop() }],
      handleSignals: false,
    });
    checker.start();
  });

  afterAll(async () => {
    await service?.stop();
    await gateway.close();
    await dynamodb.close();
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
  });

  it('is ready only once the first probe round has finished', async () => {
    const first = await (await fetch(`${service.url}/readyz`)).json();
    expect(first).toMatchObject({ ready: false, reason: 'probes: first probe round not finished yet' });
    await waitFor(async () => (await fetch(`${service.url}/readyz`)).status === 200, { timeoutMs: 5000, intervalMs: 100 });
  });

  it('serves the latest report and each endpoint’s history over tRPC', async () => {
    const client = createServiceClient<HealthCheckerRouter>({ baseUrl: service.url });
    const report = (await client.report.query())!;
    expect(report).toMatchObject({ mode: 'local', az: 'local-1a', round: 1, status: 'unhealthy', counts: { healthy: 3, unhealthy: 1 } });
    const byName = Object.fromEntries(report.endpoints.map((e) => [e.endpoint, e]));
    expect(Object.keys(byName)).toEqual(['redis', 'dynamodb', 'kinesis', 'chat-gateway']);
    expect(byName['redis']).toMatchObject({ status: 'healthy', dns: { source: 'literal' }, tcp: { error: null }, http: null });
    expect(byName['dynamodb']).toMatchObject({ status: 'healthy', http: { statusCode: 400 } });
    expect(byName['kinesis']!.notes[0]).toMatch(/^TCP connect to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)/);
    // The induced 300 ms answer of the gateway, measured from request to response headers.
    const gatewayMs = byName['chat-gateway']!.http!.ms!;
    expect(gatewayMs).toBeGreaterThanOrEqual(299);
    expect(gatewayMs).toBeLessThan(350);

    const history = await client.history.query({ endpoint: 'kinesis', limit: 5 });
    expect(history).toMatchObject({ endpoint: 'kinesis', capacity: 120, transitions: [{ from: null, to: 'unhealthy' }] });
    const missing = await client.history.query({ endpoint: 'bedrock-runtime' }).catch((e: unknown) => e);
    expect((missing as TRPCClientError<HealthCheckerRouter>).data?.code).toBe('NOT_FOUND');
  });

  it('runs a round on request, with the control token only', async () => {
    gatewayDelayMs = 0;
    const anonymous = createServiceClient<HealthCheckerRouter>({ baseUrl: service.url });
    const refused = await anonymous.probeNow.mutate().catch((e: unknown) => e);
    expect((refused as TRPCClientError<HealthCheckerRouter>).data?.httpStatus).toBe(401);
    const operator = createServiceClient<HealthCheckerRouter>({ baseUrl: service.url, controlToken: CONTROL_TOKEN, timeoutMs: 5000 });
    const report = await operator.probeNow.mutate();
    expect(report.round).toBe(2);
    expect((await anonymous.report.query())!.round).toBe(2);
  });

  it('keeps the latest report in Redis for the gateway’s ops page', async () => {
    const stored = await redis.get(`${keyPrefix}health:report`);
    const report = HealthReportSchema.parse(JSON.parse(stored!));
    expect(report.round).toBe(2);
    expect(await redis.pttl(`${keyPrefix}health:report`)).toBeGreaterThan(290_000);
    expect((await checker.store.load())!.round).toBe(2);
  });

  it('exports /metrics that promtool accepts, with the probe series', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(text).toContain('probe_success{endpoint="kinesis",app="health-checker"} 0');
    expect(text).toMatch(/probe_tcp_connect_duration_seconds\{endpoint="redis",app="health-checker"\} \d/);
    expect(text).toContain('probe_health_status{endpoint="chat-gateway",status="healthy",app="health-checker"} 1');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({ status: 0, output: '' });
  });
});
