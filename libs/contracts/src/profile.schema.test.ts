import { createRequestProfiler } from '@manga-assist/profiler';
import type { ProfileReport as ProfilerReport } from '@manga-assist/profiler';
import { ProfileReportSchema } from './profile.schema';
import type { ProfileReport } from './profile.schema';

// The profiler (a util lib) cannot import contracts, so it declares its report as a plain interface;
// these assignments fail the typecheck if the two ever disagree.
const toContract = (report: ProfilerReport): ProfileReport => report;
const toProfiler = (report: ProfileReport): ProfilerReport => report;

describe('profile report contract', () => {
  it('accepts the report the request profiler produces', () => {
    let t = Date.UTC(2025, 5, 1, 5, 0, 0);
    const profiler = createRequestProfiler({ now: () => t });
    for (let i = 0; i < 50; i++) {
      profiler.record({ startedAt: t, model: 'haiku', timings: { validate: 0.4, intent: 0.05, 'cache-lookup': 5, 'fm-total': 250, made_up: 1, total: 260 } });
      t += 10;
    }
    const report = toContract(profiler.snapshot());
    expect(toProfiler(ProfileReportSchema.parse(report))).toEqual(report);
    expect(report.segments['cache-lookup']).toMatchObject({ state: 'over', budgetMs: 3 });
    expect(report.segments['made_up']).toMatchObject({ state: 'no-budget', budgetMs: null, overBy: null });
    expect(report.bottleneck.owned?.segment).toBe('cache-lookup');
  });

  it('accepts an empty window and rejects a malformed segment', () => {
    const empty = { generatedAt: '2025-06-01T05:00:00.000Z', windowMs: 60_000, tolerance: 0.2, requests: 0, segments: {}, bottleneck: { owned: null, overall: null } };
    expect(ProfileReportSchema.parse(empty)).toEqual(empty);
    const bad = { ...empty, segments: { intent: { count: 1, p50: 1, p95: 1, p99: 1, max: 1, budgetMs: 5, state: 'late', overBy: -0.8 } } };
    expect(ProfileReportSchema.safeParse(bad).success).toBe(false);
  });
});
