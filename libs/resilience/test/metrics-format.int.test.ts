// Prometheus's own promtool (Debian package prometheus) reads what the policies export: every
// metric family present, with a breaker open, a bulkhead full and a fallback taken. promtool runs
// as a separate program, so the check lives with the integration tests.
import { spawnSync } from 'node:child_process';
import { createMetricsRegistry } from '@manga-assist/telemetry';
import { createDownstreamPolicies } from '../src';
import type { DownstreamPolicies } from '../src';

let policies: DownstreamPolicies | undefined;
afterEach(() => policies?.dispose());

describe('metrics', () => {
  it('are in a form promtool accepts', async () => {
    const registry = createMetricsRegistry('test', { defaultMetrics: false });
    policies = createDownstreamPolicies({
      registry,
      settings: { redis: { breaker: { failures: 1, cooldownMs: 60_000 } }, dynamodb: { bulkhead: { limit: 1, queue: 0 } } },
    });
    await expect(policies.get('redis').execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(policies.get('redis').execute(async () => 'x')).rejects.toMatchObject({ reason: 'breaker-open' });
    policies.recordFallback('redis', 'skip-cache');
    let release!: () => void;
    const running = policies.get('dynamodb').execute(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(policies.get('dynamodb').execute(async () => 1)).rejects.toMatchObject({ reason: 'bulkhead-full' });

    const text = await registry.metrics();
    release();
    await running;
    expect(text).toMatch(/^manga_assist_downstream_breaker_state\{[^}]*downstream="redis"[^}]*\} 2$/m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({ status: 0, output: '' });
  });
});
