import { DEFAULT_DOWNSTREAM_SETTINGS, createDownstreamPolicies, resolveDownstreamSettings } from './index';
import type { DownstreamSettingsOverrides } from './index';

describe('DEFAULT_DOWNSTREAM_SETTINGS', () => {
  it('carries the reference numbers for every downstream', () => {
    const summary = Object.fromEntries(
      Object.entries(DEFAULT_DOWNSTREAM_SETTINGS).map(([name, s]) => [
        name,
        [s.breaker.failures, s.breaker.windowMs, s.breaker.cooldownMs, s.breaker.successesToClose, s.bulkhead.limit, s.timeoutMs],
      ]),
    );
    expect(summary).toEqual({
      sonnet: [5, 30_000, 15_000, 3, 40, 30_000],
      haiku: [5, 30_000, 15_000, 3, 40, 30_000],
      'vector-search': [3, 20_000, 10_000, 2, 25, 5_000],
      dynamodb: [5, 30_000, 10_000, 3, 20, 3_000],
      redis: [3, 10_000, 5_000, 2, 15, 2_000],
    });
    const queues = Object.fromEntries(Object.entries(DEFAULT_DOWNSTREAM_SETTINGS).map(([name, s]) => [name, s.bulkhead.queue]));
    expect(queues).toEqual({ sonnet: 40, haiku: 200, 'vector-search': 250, dynamodb: 200, redis: 500 });
    expect(Object.isFrozen(DEFAULT_DOWNSTREAM_SETTINGS.sonnet.breaker)).toBe(true);
  });
});

describe('resolveDownstreamSettings', () => {
  it('layers overrides on the defaults', () => {
    expect(resolveDownstreamSettings('redis', { breaker: { failures: 9 }, bulkhead: { queue: 0 } })).toEqual({
      ...DEFAULT_DOWNSTREAM_SETTINGS.redis,
      breaker: { ...DEFAULT_DOWNSTREAM_SETTINGS.redis.breaker, failures: 9 },
      bulkhead: { limit: 15, queue: 0 },
    });
  });

  it.each([
    [{ timeoutMs: 0 }, 'timeoutMs must be a positive integer, got 0'],
    [{ bulkhead: { queue: -1 } }, 'bulkhead.queue must be a non-negative integer, got -1'],
    [{ breaker: { successesToClose: 1.5 } }, 'breaker.successesToClose must be a positive integer, got 1.5'],
    [{ retry: { initialDelayMs: 500, maxDelayMs: 100 } }, 'retry.maxDelayMs (100) must not be below retry.initialDelayMs (500)'],
  ])('refuses %j', (overrides, message) => {
    expect(() => resolveDownstreamSettings('haiku', overrides)).toThrow(`Downstream "haiku": ${message}`);
  });

  it('refuses settings for a downstream it does not know', () => {
    const settings = { opensearch: { timeoutMs: 1 } } as unknown as DownstreamSettingsOverrides;
    expect(() => createDownstreamPolicies({ settings })).toThrow('Unknown downstream "opensearch"');
  });
});
