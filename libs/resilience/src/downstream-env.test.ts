import { ConfigError, loadConfig } from '@manga-assist/config';
import { z } from 'zod';
import {
  DEFAULT_DOWNSTREAM_SETTINGS,
  DOWNSTREAM_ENV_VARIABLES,
  createDownstreamPolicies,
  downstreamEnvSchema,
  downstreamSettingsFromConfig,
  downstreamSettingsFromEnv,
} from './index';

describe('downstreamSettingsFromEnv', () => {
  it('returns nothing when no variable is set, so the defaults apply', () => {
    expect(downstreamSettingsFromEnv({ PATH: '/usr/bin', SONNET_TIMEOUT_MS: '' })).toEqual({});
  });

  it('maps each variable to its setting', () => {
    const settings = downstreamSettingsFromEnv({
      SONNET_TIMEOUT_MS: '20000',
      SONNET_RETRIES: '0',
      SONNET_RETRY_DELAY_MS: '100',
      SONNET_RETRY_MAX_DELAY_MS: '800',
      SONNET_BREAKER_FAILURES: '7',
      SONNET_BREAKER_WINDOW_MS: '60000',
      SONNET_BREAKER_COOLDOWN_MS: '5000',
      SONNET_BREAKER_SUCCESSES: '4',
      SONNET_BULKHEAD: '12',
      SONNET_BULKHEAD_QUEUE: '0',
      VECTOR_SEARCH_BULKHEAD: '30',
      REDIS_RETRIES: '2',
    });
    expect(settings).toEqual({
      sonnet: {
        timeoutMs: 20_000,
        retry: { maxAttempts: 1, initialDelayMs: 100, maxDelayMs: 800 },
        breaker: { failures: 7, windowMs: 60_000, cooldownMs: 5_000, successesToClose: 4 },
        bulkhead: { limit: 12, queue: 0 },
      },
      'vector-search': { bulkhead: { limit: 30 } },
      redis: { retry: { maxAttempts: 3 } },
    });
  });

  it.each([
    ['SONNET_BULKHEAD', '0'],
    ['SONNET_BULKHEAD', '-3'],
    ['HAIKU_TIMEOUT_MS', '1.5'],
    ['VECTOR_SEARCH_BREAKER_FAILURES', 'three'],
    ['DYNAMODB_BREAKER_COOLDOWN_MS', '10s'],
    ['REDIS_BREAKER_SUCCESSES', '0'],
    ['REDIS_RETRIES', '-1'],
    ['DYNAMODB_BULKHEAD_QUEUE', '1e3'],
    ['SONNET_TIMEOUT_MS', '99999999999999999999'],
  ])('rejects %s=%s, naming the variable', (variable, value) => {
    const attempt = () => downstreamSettingsFromEnv({ [variable]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`\\b${variable} must be a (positive|non-negative) integer \\(got "${value.replace('.', '\\.')}"\\)`));
  });

  it('names every bad variable at once', () => {
    expect(() => downstreamSettingsFromEnv({ SONNET_BULKHEAD: 'x', REDIS_TIMEOUT_MS: '0' })).toThrow(
      /SONNET_BULKHEAD must be a positive integer.*REDIS_TIMEOUT_MS must be a positive integer/,
    );
  });

  it('has ten variables per downstream, all in the schema', () => {
    expect(DOWNSTREAM_ENV_VARIABLES).toHaveLength(50);
    expect(Object.keys(downstreamEnvSchema.shape).sort()).toEqual([...DOWNSTREAM_ENV_VARIABLES].sort());
    expect(DOWNSTREAM_ENV_VARIABLES).toContain('VECTOR_SEARCH_BREAKER_WINDOW_MS');
  });
});

describe('downstreamEnvSchema', () => {
  it("extends into an app's config schema and feeds createDownstreamPolicies", () => {
    const appSchema = downstreamEnvSchema.extend({ PORT: z.string().default('3000') });
    const config = loadConfig(appSchema, { PORT: '8080', DYNAMODB_BULKHEAD: '8', REDIS_BREAKER_COOLDOWN_MS: '2500' });
    expect(config.PORT).toBe('8080');
    expect(config.DYNAMODB_BULKHEAD).toBe(8);
    const policies = createDownstreamPolicies({ settings: downstreamSettingsFromConfig(config) });
    try {
      // A queue left unset follows the bulkhead limit.
      expect(policies.get('dynamodb').load()).toEqual({ executing: 0, queued: 0, limit: 8, queue: 8 });
      expect(policies.get('redis').settings.breaker).toEqual({ ...DEFAULT_DOWNSTREAM_SETTINGS.redis.breaker, cooldownMs: 2_500 });
      expect(policies.get('sonnet').settings).toEqual(DEFAULT_DOWNSTREAM_SETTINGS.sonnet);
    } finally {
      policies.dispose();
    }
  });
});
