import { z } from 'zod';
import { loadConfig } from '@manga-assist/config';
import type { ConfigError } from '@manga-assist/config';
import { awsEndpoints } from './default-endpoints';
import { mergeEndpoints } from './endpoint-spec';
import { checkEndpointSettings, endpointsFromSettings, probeSettingsShape, resolverFromSettings } from './probe-settings';

const schema = z
  .object({ ...probeSettingsShape, REDIS_URL: z.string().default('redis://127.0.0.1:6379') })
  .superRefine(checkEndpointSettings);
const load = (env: Record<string, string> = {}) => loadConfig(schema, env);

describe('probe settings', () => {
  it('probes the local stack by default: Redis, dynalite, kinesalite and the gateway', () => {
    const settings = load({ REDIS_URL: 'redis://127.0.0.1:6390' });
    const endpoints = endpointsFromSettings(settings);
    expect(endpoints.map((e) => [e.name, e.host, e.port, e.http?.path ?? null])).toEqual([
      ['redis', '127.0.0.1', 6390, null],
      ['dynamodb', '127.0.0.1', 8000, '/'],
      ['kinesis', '127.0.0.1', 4568, '/'],
      ['chat-gateway', '127.0.0.1', 3000, '/healthz'],
    ]);
    expect(endpoints.every((e) => !e.expectPrivate && e.natBaselineMs === null)).toBe(true);
    expect(resolverFromSettings(settings)).toEqual({ servers: 'system', timeoutMs: 1000 });
    expect(settings).toMatchObject({ PROBE_INTERVAL_MS: 30000, DNS_CACHE_MAX_TTL_S: 60, CERT_WARN_DAYS: 14 });
  });

  it('probes the region’s endpoints in aws mode, with the seeds’ maxima and NAT baselines', () => {
    const settings = load({ HEALTH_MODE: 'aws', AWS_REGION: 'ap-northeast-1', OPENSEARCH_COLLECTION_HOST: 'abc123.ap-northeast-1.aoss.amazonaws.com' });
    const endpoints = endpointsFromSettings(settings);
    expect(endpoints.map((e) => [e.name, e.host, e.expected.dnsMs, e.expected.connectMs, e.natBaselineMs, e.expectPrivate])).toEqual([
      ['bedrock-runtime', 'bedrock-runtime.ap-northeast-1.amazonaws.com', 5, 10, 45, true],
      ['dynamodb', 'dynamodb.ap-northeast-1.amazonaws.com', 2, 5, 18, false],
      ['opensearch', 'abc123.ap-northeast-1.aoss.amazonaws.com', 5, 10, 72, true],
      ['s3', 's3.ap-northeast-1.amazonaws.com', 2, 5, 15, false],
      ['logs', 'logs.ap-northeast-1.amazonaws.com', 5, 10, 12, true],
      ['kinesis', 'kinesis.ap-northeast-1.amazonaws.com', 5, 10, 20, true],
    ]);
    expect(endpoints.every((e) => e.port === 443 && e.tls?.verify === true)).toBe(true);
    expect(resolverFromSettings(settings).servers).toBe('resolver');
  });

  it('adjusts, removes and adds endpoints from HEALTH_ENDPOINTS', () => {
    const settings = load({
      HEALTH_MODE: 'aws',
      HEALTH_DNS_SERVERS: '10.0.0.2, 127.0.0.1:5353',
      HEALTH_ENDPOINTS: JSON.stringify([
        { name: 'bedrock-runtime', privateCidrs: ['10.20.0.0/16'], expected: { tlsMs: 50 } },
        { name: 's3', enabled: false },
        { name: 'search-api', host: 'search.internal', port: 8443, tls: { serverName: 'search.example.jp' }, http: { path: '/health' } },
      ]),
    });
    const endpoints = endpointsFromSettings(settings);
    expect(endpoints.map((e) => e.name)).toEqual(['bedrock-runtime', 'dynamodb', 'opensearch', 'logs', 'kinesis', 'search-api']);
    expect(endpoints[0]).toMatchObject({ privateCidrs: ['10.20.0.0/16'], expected: { dnsMs: 5, connectMs: 10, tlsMs: 50 }, natBaselineMs: 45 });
    expect(endpoints[5]).toMatchObject({
      host: 'search.internal',
      port: 8443,
      tls: { serverName: 'search.example.jp', verify: true, ca: null },
      http: { path: '/health', expectStatus: null },
      expectPrivate: false,
    });
    expect(resolverFromSettings(settings).servers).toEqual(['10.0.0.2', '127.0.0.1:5353']);
  });

  it('stops at start on unusable endpoint settings, naming the variable and the problem', () => {
    const problem = (env: Record<string, string>) => {
      try {
        load(env);
      } catch (error) {
        return (error as ConfigError).message;
      }
      return 'no error';
    };
    expect(problem({ HEALTH_ENDPOINTS: '{not json' })).toContain('HEALTH_ENDPOINTS must be a JSON array of endpoints');
    expect(problem({ HEALTH_ENDPOINTS: '[{"name":"x","host":"h","port":70000}]' })).toContain('[0].port: Too big');
    expect(problem({ HEALTH_ENDPOINTS: '[{"name":"bedrock-runtime","privateCidrs":["10.0.0/8"]}]' })).toContain(
      '[0].privateCidrs[0]: must be a CIDR block like 10.0.0.0/16',
    );
    expect(problem({ HEALTH_ENDPOINTS: '[{"name":"search-api"}]' })).toContain(
      'HEALTH_ENDPOINTS endpoint "search-api" is not a default one, so it needs "host" and "port"',
    );
    expect(problem({ HEALTH_DNS_SERVERS: 'resolver.internal' })).toContain('HEALTH_DNS_SERVERS must be a comma-separated list');
    expect(problem({ HEALTH_MODE: 'cloud' })).toContain('HEALTH_MODE must be local or aws');
  });

  it('keeps the default order and appends new endpoints', () => {
    const merged = mergeEndpoints(awsEndpoints({ region: 'us-east-1' }), [{ name: 'extra', host: 'h', port: 1 }, { name: 'dynamodb', port: 8443 }]);
    expect(merged.map((e) => `${e.name}:${e.port}`)).toEqual([
      'bedrock-runtime:443',
      'dynamodb:8443',
      'opensearch:443',
      's3:443',
      'logs:443',
      'kinesis:443',
      'extra:1',
    ]);
  });
});
