import { createMetricsRegistry } from '@manga-assist/telemetry';
import type { DownstreamPolicies } from './index';
import { createDownstreamPolicies } from './index';

let policies: DownstreamPolicies | undefined;
afterEach(() => policies?.dispose());

function metric(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('metrics', () => {
  // That promtool accepts the text: test/metrics-format.int.test.ts.
  it('shows breaker states, transitions, calls, bulkhead load and fallbacks', async () => {
    const registry = createMetricsRegistry('test', { defaultMetrics: false });
    policies = createDownstreamPolicies({
      registry,
      settings: { redis: { breaker: { failures: 2, cooldownMs: 60_000 } }, dynamodb: { bulkhead: { limit: 1, queue: 1 } } },
    });
    const redis = policies.get('redis');
    for (let i = 0; i < 2; i++) await expect(redis.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(redis.execute(async () => 'x')).rejects.toMatchObject({ reason: 'breaker-open' });
    await policies.get('haiku').execute(async () => 'ok');
    policies.recordFallback('redis', 'skip-cache');

    let release!: () => void;
    const opened = new Promise<void>((resolve) => (release = resolve));
    const dynamodb = policies.get('dynamodb');
    const running = [dynamodb.execute(() => opened), dynamodb.execute(() => opened)];
    await expect(dynamodb.execute(async () => 1)).rejects.toMatchObject({ reason: 'bulkhead-full' });

    const text = await registry.metrics();
    const at = (name: string, labels: string) => metric(text, `manga_assist_downstream_${name}`, labels);
    expect(at('breaker_state', 'downstream="redis"')).toBe(2);
    expect(at('breaker_state', 'downstream="sonnet"')).toBe(0);
    expect(at('breaker_transitions_total', 'downstream="redis",to="open"')).toBe(1);
    expect(at('breaker_transitions_total', 'downstream="redis",to="closed"')).toBe(0);
    expect(at('calls_total', 'downstream="redis",outcome="failure"')).toBe(2);
    expect(at('calls_total', 'downstream="redis",outcome="rejected"')).toBe(1);
    expect(at('calls_total', 'downstream="haiku",outcome="success"')).toBe(1);
    expect(at('calls_total', 'downstream="dynamodb",outcome="rejected"')).toBe(1);
    expect(at('bulkhead_rejections_total', 'downstream="dynamodb"')).toBe(1);
    expect(at('bulkhead_executing', 'downstream="dynamodb"')).toBe(1);
    expect(at('bulkhead_queued', 'downstream="dynamodb"')).toBe(1);
    expect(at('fallbacks_total', 'downstream="redis",fallback="skip-cache"')).toBe(1);
    expect(text).toContain('app="test"');

    release();
    await Promise.all(running);
    expect(at('bulkhead_executing', 'downstream="dynamodb"')).toBe(1); // the text above is a snapshot
    expect(metric(await registry.metrics(), 'manga_assist_downstream_bulkhead_executing', 'downstream="dynamodb"')).toBe(0);
  });

  it('reads a breaker whose cooldown ended as half-open at scrape time', async () => {
    jest.useFakeTimers();
    try {
      const registry = createMetricsRegistry('test', { defaultMetrics: false });
      policies = createDownstreamPolicies({ registry, settings: { redis: { breaker: { failures: 1, cooldownMs: 1_000 } } } });
      await expect(policies.get('redis').execute(() => Promise.reject(new Error('down')))).rejects.toThrow();
      const state = async () => metric(await registry.metrics(), 'manga_assist_downstream_breaker_state', 'downstream="redis"');
      expect(await state()).toBe(2);
      jest.setSystemTime(Date.now() + 1_000); // the clock moves, no timer runs
      expect(await state()).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a second set of policies on one registry until the first is disposed', () => {
    const registry = createMetricsRegistry('test', { defaultMetrics: false });
    policies = createDownstreamPolicies({ registry });
    expect(() => createDownstreamPolicies({ registry })).toThrow(/already registered: one set of downstream policies per registry/);
    policies.dispose();
    policies = createDownstreamPolicies({ registry });
  });
});
