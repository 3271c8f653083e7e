import { loadConfig } from '@manga-assist/config';
import { healthCheckerConfigSchema } from './config';

const CONTROL_TOKEN = 'control-token-for-tests-0123456789';

describe('health-checker configuration', () => {
  it('listens on 3003 by default', () => {
    expect(loadConfig(healthCheckerConfigSchema, { CONTROL_TOKEN }).HEALTH_CHECKER_PORT).toBe(3003);
  });

  it('stops at start on a bad port, naming HEALTH_CHECKER_PORT', () => {
    expect(() => loadConfig(healthCheckerConfigSchema, { CONTROL_TOKEN, HEALTH_CHECKER_PORT: 'abc' })).toThrow(
      'HEALTH_CHECKER_PORT must be a TCP port number from 1 to 65535 (got "abc")',
    );
  });

  it('needs the shared control token', () => {
    expect(() => loadConfig(healthCheckerConfigSchema, {})).toThrow(/CONTROL_TOKEN is required/);
  });
});

describe('health-checker probe configuration', () => {
  it('probes the local stack every 30 s and caches DNS answers at most 60 s by default', () => {
    const config = loadConfig(healthCheckerConfigSchema, { CONTROL_TOKEN });
    expect(config).toMatchObject({
      HEALTH_MODE: 'local',
      AWS_REGION: 'ap-northeast-1',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      KINESIS_ENDPOINT: 'http://127.0.0.1:4568',
      GATEWAY_URL: 'http://127.0.0.1:3000',
      PROBE_INTERVAL_MS: 30000,
      DNS_CACHE_MAX_TTL_S: 60,
      KEY_PREFIX: 'ma:',
      HEALTH_ENDPOINTS: [],
    });
  });

  it('stops at start on a bad endpoint list, naming HEALTH_ENDPOINTS', () => {
    expect(() => loadConfig(healthCheckerConfigSchema, { CONTROL_TOKEN, HEALTH_ENDPOINTS: '[{"name":"search"}]' })).toThrow(
      'HEALTH_ENDPOINTS endpoint "search" is not a default one, so it needs "host" and "port"',
    );
    expect(() => loadConfig(healthCheckerConfigSchema, { CONTROL_TOKEN, PROBE_INTERVAL_MS: '0' })).toThrow(
      'PROBE_INTERVAL_MS must be a positive integer',
    );
  });
});
