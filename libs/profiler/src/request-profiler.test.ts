import { Registry } from '@manga-assist/telemetry';
import { createTestLogger } from '@manga-assist/testing';
import { DEFAULT_BUDGETS_MS } from './budgets';
import { createRequestProfiler } from './request-profiler';
import type { RequestProfilerOptions } from './request-profiler';

/** A profiler on a clock the test moves by hand. */
function setup(opts: RequestProfilerOptions = {}) {
  let t = 1_000_000;
  const log = createTestLogger();
  const registry = new Registry();
  const profiler = createRequestProfiler({ log, registry, now: () => t, checkIntervalMs: 0, ...opts });
  return {
    profiler,
    log,
    registry,
    advance: (ms: number) => void (t += ms),
    /** Records one request per value, each with only this segment. */
    feed(segment: string, values: number[], model?: string) {
      for (const ms of values) profiler.record({ startedAt: t, timings: { [segment]: ms }, model });
    },
    warnings: () => log.entries.filter((e) => e.level === 'warn'),
  };
}

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

async function counterValue(registry: Registry, segment: string): Promise<number> {
  const metric = await registry.getSingleMetric('manga_assist_latency_budget_exceeded_total')!.get();
  return metric.values.find((v) => v.labels['segment'] === segment)?.value ?? 0;
}

describe('percentiles', () => {
  it('reports count, p50, p95, p99 and max of known values to within 1%', () => {
    const { profiler, feed } = setup();
    feed('vector-search', range(1000, (i) => i + 1)); // 1 … 1000 ms
    const s = profiler.snapshot().segments['vector-search']!;
    expect(s.count).toBe(1000);
    expect(s.p50).toBeGreaterThanOrEqual(500);
    expect(s.p50).toBeLessThanOrEqual(505);
    expect(s.p95).toBeGreaterThanOrEqual(950);
    expect(s.p95).toBeLessThanOrEqual(959.5);
    expect(s.p99).toBeGreaterThanOrEqual(990);
    expect(s.p99).toBeLessThanOrEqual(999.9);
    expect(s.max).toBeCloseTo(1000, -1);
  });

  it('keeps sub-millisecond segments to the microsecond', () => {
    const { profiler, feed } = setup();
    feed('intent', range(100, () => 0.042));
    const s = profiler.snapshot().segments['intent']!;
    expect(s.p50).toBeCloseTo(0.042, 3);
    expect(s.p99).toBeCloseTo(0.042, 3);
  });

  it('skips the entries of a timings record that are not durations, and counts requests', () => {
    const { profiler } = setup();
    profiler.record({ startedAt: 0, timings: { intent: 1, 'prompt-bytes': 4096, prefetched: 1, 'cache-lookup': -1 } });
    const report = profiler.snapshot();
    expect(Object.keys(report.segments)).toEqual(['intent']);
    expect(report.requests).toBe(1);
  });

  it('lists segments in pipeline order, the total last', () => {
    const { profiler } = setup();
    profiler.record({ startedAt: 0, timings: { total: 900, enqueue: 0.1, 'fm-total': 500, validate: 1, custom: 2, intent: 0.2 }, model: 'haiku' });
    expect(Object.keys(profiler.snapshot().segments)).toEqual(['validate', 'intent', 'fm-total:haiku', 'enqueue', 'custom', 'total']);
  });
});

describe('model-specific budgets', () => {
  it('profiles fm-first-token and fm-total per model, each against its own budget', () => {
    const { profiler } = setup();
    for (let i = 0; i < 50; i++) {
      profiler.record({ startedAt: 0, timings: { 'fm-first-token': 200, 'fm-total': 350, intent: 1 }, model: 'haiku' });
      profiler.record({ startedAt: 0, timings: { 'fm-first-token': 200, 'fm-total': 700, intent: 1 }, model: 'sonnet' });
    }
    const { segments } = profiler.snapshot();
    expect(segments['fm-total:haiku']).toMatchObject({ budgetMs: 300, state: 'ok', count: 50 }); // 350 is within 300 + 20%
    expect(segments['fm-total:sonnet']).toMatchObject({ budgetMs: 800, state: 'ok' });
    expect(segments['fm-first-token:haiku']).toMatchObject({ budgetMs: 300, state: 'ok' });
    expect(segments['intent']!.count).toBe(100);
    expect(segments['fm-total']).toBeUndefined();
  });

  it('falls back to the segment budget for a model without one, and marks segments without any', () => {
    const { profiler } = setup({ budgets: { 'fm-total': 1000 } });
    profiler.record({ startedAt: 0, timings: { 'fm-total': 10, 'made-up': 1 }, model: 'local' });
    const { segments } = profiler.snapshot();
    expect(segments['fm-total:local']).toMatchObject({ budgetMs: 1000, state: 'ok' });
    expect(segments['made-up']).toMatchObject({ budgetMs: null, state: 'no-budget', overBy: null });
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => createRequestProfiler({ tolerance: -1 })).toThrow('profiler: tolerance must be a number ≥ 0, got -1');
    expect(() => createRequestProfiler({ budgets: { intent: 0 } })).toThrow('profiler: budget for "intent" must be a positive number of ms, got 0');
    expect(() => createRequestProfiler({ windowMs: 0 })).toThrow('profiler: windowMs must be an integer ≥ slots (6), got 0');
  });
});

describe('budget check', () => {
  it('flags a segment over its budget by more than the tolerance, warns once per window and counts it', async () => {
    const { profiler, feed, advance, warnings, registry } = setup({ windowMs: 60_000 });
    feed('cache-lookup', range(100, () => 3.7)); // budget 3 ms: +23%
    const s = profiler.snapshot().segments['cache-lookup']!;
    expect(s).toMatchObject({ budgetMs: 3, state: 'over' });
    expect(s.overBy).toBeGreaterThan(0.2);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]!.obj).toMatchObject({ segment: 'cache-lookup', budgetMs: 3, tolerance: 0.2 });
    expect(warnings()[0]!.msg).toMatch(/^latency budget exceeded: cache-lookup p95 3\.7\d* ms > 3 ms/);
    expect(await counterValue(registry, 'cache-lookup')).toBe(1);

    // Still over later in the same window: no second warning.
    advance(30_000);
    feed('cache-lookup', range(100, () => 3.7));
    expect(warnings()).toHaveLength(1);
    // A window later, still over: warned and counted again.
    advance(30_000);
    feed('cache-lookup', range(10, () => 3.7));
    expect(warnings()).toHaveLength(2);
    expect(await counterValue(registry, 'cache-lookup')).toBe(2);
  });

  it('leaves a segment within the tolerance ok, without a warning', async () => {
    const { profiler, feed, warnings, registry } = setup();
    feed('session-load', range(100, () => 14)); // budget 12 ms: +16.7%
    expect(profiler.snapshot().segments['session-load']).toMatchObject({ state: 'ok', budgetMs: 12 });
    expect(profiler.snapshot().segments['session-load']!.overBy).toBeCloseTo(14 / 12 - 1, 2);
    expect(warnings()).toHaveLength(0);
    expect(await counterValue(registry, 'session-load')).toBe(0);
  });

  it('does not warn on fewer values than minSamples', () => {
    const { feed, warnings } = setup({ minSamples: 20 });
    feed('intent', range(19, () => 50));
    expect(warnings()).toHaveLength(0);
    feed('intent', [50]);
    expect(warnings()).toHaveLength(1);
  });

  it('checks at most once per checkIntervalMs from the request path', () => {
    const { feed, advance, warnings } = setup({ checkIntervalMs: 1000 });
    feed('intent', range(100, () => 50)); // way over, but the first check is due only after 1 s
    expect(warnings()).toHaveLength(0);
    advance(1000);
    feed('intent', [50]);
    expect(warnings()).toHaveLength(1);
  });
});

describe('rolling window', () => {
  it('forgets values older than the window', () => {
    const { profiler, feed, advance } = setup({ windowMs: 60_000, slots: 6 });
    feed('vector-search', range(100, () => 400));
    advance(30_000);
    feed('vector-search', range(100, () => 40));
    let report = profiler.snapshot();
    expect(report.segments['vector-search']).toMatchObject({ count: 200, state: 'over' });
    expect(report.requests).toBe(200);

    advance(40_000); // the first 100 are now 70 s old
    report = profiler.snapshot();
    expect(report.segments['vector-search']!.count).toBe(100);
    expect(report.segments['vector-search']!.max).toBeCloseTo(40, 0);
    expect(report.segments['vector-search']!.state).toBe('ok');
    expect(report.requests).toBe(100);

    advance(60_000);
    report = profiler.snapshot();
    expect(report.segments).toEqual({});
    expect(report.requests).toBe(0);
    expect(report.bottleneck).toEqual({ owned: null, overall: null });
  });
});

describe('bottleneck', () => {
  it('names our slowest segment, apart from the model and the total, and the slowest overall', () => {
    const { profiler } = setup();
    for (let i = 0; i < 100; i++) {
      profiler.record({
        startedAt: 0,
        model: 'sonnet',
        timings: { validate: 2, intent: 0.5, 'session-load': 8 + (i % 10), 'vector-search': 30, 'prompt-assembly': 1, 'fm-first-token': 400, 'fm-total': 900, stream: 3, total: 1000 },
      });
    }
    const { bottleneck } = profiler.snapshot();
    expect(bottleneck.owned).toEqual({ segment: 'vector-search', p95: expect.closeTo(30, 0) });
    expect(bottleneck.overall).toEqual({ segment: 'fm-total:sonnet', p95: expect.closeTo(900, -1) });
  });
});

describe('metrics', () => {
  // That promtool accepts the text: test/metrics-format.int.test.ts.
  it('exports p95 and budget gauges computed on scrape', async () => {
    const { feed, registry } = setup();
    feed('vector-search', range(100, (i) => i + 1));
    feed('cache-lookup', range(100, () => 9));
    const text = await registry.metrics();
    const p95 = Number(/^manga_assist_segment_p95_seconds\{segment="vector-search"\} (\S+)$/m.exec(text)?.[1]);
    expect(p95).toBeCloseTo(0.095, 3);
    expect(text).toMatch(/^manga_assist_segment_budget_seconds\{segment="vector-search"\} 0\.15$/m);
    expect(text).toMatch(/^manga_assist_segment_budget_seconds\{segment="fm-total:haiku"\} 0\.3$/m);
    expect(text).toMatch(/^manga_assist_latency_budget_exceeded_total\{segment="cache-lookup"\} 1$/m);
    expect(text.match(/^manga_assist_segment_budget_seconds\{/gm)).toHaveLength(Object.keys(DEFAULT_BUDGETS_MS).length);
  });
});
