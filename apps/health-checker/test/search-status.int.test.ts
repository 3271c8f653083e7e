// The health checker reports each OpenSearch Serverless collection's status and its VPC endpoint's
// beside the probes, asked through the real SDK of a stand-in control plane: in the report the
// gateway's ops page reads from Redis, over tRPC, and as a metric.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { loadConfig } from '@manga-assist/config';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';
import { deleteKeysWithPrefix, startOpenSearchServerlessStandIn, testRedisUrl, uniquePrefix } from '@manga-assist/testing';
import type { OpenSearchServerlessStandIn } from '@manga-assist/testing';
import { healthCheckerConfigSchema } from '../src/config';
import { createHealthChecker } from '../src/health-checker';
import type { HealthChecker } from '../src/health-checker';

describe('search collection and VPC endpoint status', () => {
  const keyPrefix = uniquePrefix('search-status');
  const redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  let standIn: OpenSearchServerlessStandIn;
  let gateway: http.Server;
  let checker: HealthChecker;
  let registry: Registry;

  beforeAll(async () => {
    await redis.connect();
    standIn = await startOpenSearchServerlessStandIn({
      collections: [{ name: 'manga-assist-catalog', status: 'CREATING', id: 'abcdefghij0123456789' }],
      vpcEndpoints: [{ id: 'vpce-050f79086ee71ac05', status: 'PENDING' }],
    });
    gateway = http.createServer((_req, res) => res.end('{"status":"alive"}'));
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const config = loadConfig(healthCheckerConfigSchema, {
      CONTROL_TOKEN: 'control-token-for-tests-0123456789',
      REDIS_URL: testRedisUrl(),
      KEY_PREFIX: keyPrefix,
      HEALTH_MODE: 'local',
      HEALTH_AZ: 'local-1a',
      GATEWAY_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`,
      PROBE_INTERVAL_MS: '60000',
      HEALTH_ENDPOINTS: JSON.stringify([
        { name: 'redis', enabled: false },
        { name: 'dynamodb', enabled: false },
        { name: 'kinesis', enabled: false },
      ]),
      OPENSEARCH_COLLECTION: 'manga-assist-catalog, manga-assist-old',
      OPENSEARCH_VPC_ENDPOINT_ID: 'vpce-050f79086ee71ac05',
      OPENSEARCH_SERVERLESS_ENDPOINT: standIn.url,
    });
    registry = createMetricsRegistry('health-checker');
    checker = await createHealthChecker({ config, logger: createLogger({ app: 'health-checker', level: 'silent' }), registry, redis });
  });

  afterAll(async () => {
    await checker?.stop();
    await new Promise((resolve) => gateway.close(resolve));
    await standIn.close();
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
  });

  const stored = async () => (await checker.store.load())!;
  const statusOf = (report: Awaited<ReturnType<typeof stored>>) => report.search?.map((r) => [r.kind, r.name, r.status, r.active]);

  it('puts every collection and endpoint in the report beside the probes, not ACTIVE ones marked so', async () => {
    await checker.runner.runOnce();
    const report = await stored();
    expect(report.endpoints.map((e) => [e.endpoint, e.status])).toEqual([['chat-gateway', 'healthy']]);
    expect(statusOf(report)).toEqual([
      ['collection', 'manga-assist-catalog', 'CREATING', false],
      ['collection', 'manga-assist-old', 'NOT_FOUND', false],
      ['vpc-endpoint', 'vpce-050f79086ee71ac05', 'PENDING', false],
    ]);
    expect(report.search![1]!.detail).toBe('NOT_FOUND: The specified collection was not found');
    const rpcReport = checker.routerDeps({} as never).report();
    expect(rpcReport?.search).toEqual(report.search);
  });

  it('follows the collection and endpoint to ACTIVE on the next round, with the endpoint and the metric', async () => {
    standIn.setCollection({ name: 'manga-assist-catalog', status: 'ACTIVE' });
    standIn.setVpcEndpoint({ id: 'vpce-050f79086ee71ac05', status: 'ACTIVE' });
    await checker.runner.runOnce();
    const report = await stored();
    expect(statusOf(report)).toEqual([
      ['collection', 'manga-assist-catalog', 'ACTIVE', true],
      ['collection', 'manga-assist-old', 'NOT_FOUND', false],
      ['vpc-endpoint', 'vpce-050f79086ee71ac05', 'ACTIVE', true],
    ]);
    expect(report.search![0]!.detail).toBe('https://abcdefghij0123456789.ap-northeast-1.aoss.amazonaws.com');
    const metrics = await registry.metrics();
    expect(metrics).toContain('manga_assist_search_resource_active{kind="collection",name="manga-assist-catalog",app="health-checker"} 1');
    expect(metrics).toContain('manga_assist_search_resource_active{kind="collection",name="manga-assist-old",app="health-checker"} 0');
    expect(metrics).toContain('manga_assist_search_resource_active{kind="vpc-endpoint",name="vpce-050f79086ee71ac05",app="health-checker"} 1');
  });

  it('still publishes the probes when the control plane fails, with the status UNKNOWN and the reason', async () => {
    standIn.failNext(10);
    await checker.runner.runOnce();
    const report = await stored();
    expect(report.endpoints.map((e) => e.status)).toEqual(['healthy']);
    expect(report.search!.map((r) => [r.status, r.active])).toEqual([
      ['UNKNOWN', false],
      ['UNKNOWN', false],
      ['UNKNOWN', false],
    ]);
    expect(report.search![0]!.detail).toMatch(/^InternalServerException: /);
    standIn.failNext(0);
  });
});
