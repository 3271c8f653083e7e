import type { OpsSnapshot, ProfileReport } from '@manga-assist/contracts';
import { addToHistory, answerMix, budgetWarnings } from './ops-view';
import type { History } from './ops-view';
import { takeToken } from './token';

const profile = (segments: ProfileReport['segments']): ProfileReport => ({
  generatedAt: '2026-12-05T10:00:00.000Z',
  windowMs: 60_000,
  tolerance: 0.2,
  requests: 10,
  segments,
  bottleneck: { owned: null, overall: null },
});
const segment = (p95: number, budgetMs: number | null, state: 'ok' | 'over' | 'no-budget', overBy: number | null) => ({ count: 10, p50: p95 / 2, p95, p99: p95, max: p95, budgetMs, state, overBy });

const snapshot = (at: string, answers: OpsSnapshot['answers'], total = 300): OpsSnapshot =>
  ({ at, answers, profile: profile({ total: segment(total, 2000, 'ok', -0.85) }) }) as OpsSnapshot;

describe('the ops page numbers', () => {
  it('splits answers by source, model and errors', () => {
    expect(answerMix({ exact: 2, semantic: 1, precomputed: 1, haiku: 12, sonnet: 4, errors: 5 })).toEqual({ answered: 20, cacheShare: 0.2, haikuShare: 0.75, errorRatio: 0.2 });
    expect(answerMix({ exact: 0, semantic: 0, precomputed: 0, haiku: 0, sonnet: 0, errors: 0 })).toEqual({ answered: 0, cacheShare: null, haikuShare: null, errorRatio: null });
  });

  it('warns about the segments over budget, worst first', () => {
    const warnings = budgetWarnings(
      profile({
        'cache-lookup': segment(5.1, 3, 'over', 0.7),
        'vector-search': segment(40, 150, 'ok', -0.73),
        'fm-total:haiku': segment(450, 300, 'over', 0.5),
        'prompt-bytes': segment(900, null, 'no-budget', null),
      }),
    );
    expect(warnings).toEqual(['cache-lookup: p95 5.1 ms is 70 % over its 3.0 ms budget', 'fm-total:haiku: p95 450 ms is 50 % over its 300 ms budget']);
  });

  it('charts answers per second between snapshots, and starts over when the gateway restarted', () => {
    const counts = (haiku: number) => ({ exact: 0, semantic: 0, precomputed: 0, haiku, sonnet: 0, errors: 0 });
    let history: History = { t: [], series: {} };
    const first = snapshot('2026-12-05T10:00:00.000Z', counts(10));
    const second = snapshot('2026-12-05T10:00:02.000Z', counts(16), 420);
    const restarted = snapshot('2026-12-05T10:00:03.000Z', counts(1));
    history = addToHistory(history, null, first);
    history = addToHistory(history, first, second);
    history = addToHistory(history, second, restarted);
    expect(history.series['rate:haiku']).toEqual([null, 3, null]);
    expect(history.series['p95:total']).toEqual([300, 420, 300]);
    expect(history.t).toHaveLength(3);
  });

  it('keeps only the newest points', () => {
    let history: History = { t: [], series: {} };
    let previous: OpsSnapshot | null = null;
    for (let i = 0; i < 5; i++) {
      const next = snapshot(new Date(Date.UTC(2026, 11, 5, 10, 0, i)).toISOString(), { exact: i, semantic: 0, precomputed: 0, haiku: 0, sonnet: 0, errors: 0 });
      history = addToHistory(history, previous, next, 3);
      previous = next;
    }
    expect(history.t).toHaveLength(3);
    expect(history.series['rate:exact']).toEqual([1, 1, 1]);
  });
});

describe('takeToken', () => {
  const storage = () => {
    const items = new Map<string, string>();
    return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
  };

  it('takes a token from the URL fragment once, keeps it, and clears the address bar', () => {
    const store = storage();
    const clear = jest.fn();
    expect(takeToken(store, { hash: '#token=abc123' }, clear)).toBe('abc123');
    expect(clear).toHaveBeenCalledTimes(1);
    expect(takeToken(store, { hash: '' }, clear)).toBe('abc123');
    expect(clear).toHaveBeenCalledTimes(1);
  });

  it('has no token until one is given', () => {
    expect(takeToken(storage(), { hash: '' }, () => undefined)).toBeNull();
  });
});
