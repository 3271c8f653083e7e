// Prometheus's own promtool (Debian package prometheus) reads what the profiler exports at scrape
// time; it runs as a separate program, so the check lives with the integration tests.
import { spawnSync } from 'node:child_process';
import { Registry } from '@manga-assist/telemetry';
import { createTestLogger } from '@manga-assist/testing';
import { createRequestProfiler } from '../src';

describe('metrics', () => {
  it('are in a form promtool accepts', async () => {
    let t = 1_000_000;
    const registry = new Registry();
    const profiler = createRequestProfiler({ log: createTestLogger(), registry, now: () => t, checkIntervalMs: 0 });
    for (let i = 1; i <= 100; i++) {
      profiler.record({ startedAt: t, timings: { 'vector-search': i, 'cache-lookup': 9, 'fm-total': 250 }, model: 'haiku' });
      t += 10;
    }
    const text = await registry.metrics();
    expect(text).toMatch(/^manga_assist_segment_p95_seconds\{segment="vector-search"\} /m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({ status: 0, output: '' });
  });
});
