import { describeDegraded, describeError, formatPriceJpy, formatReleaseDate, waterfallRows } from './format';

describe('formatting for the chat page', () => {
  it('shows prices in yen the Japanese way', () => {
    expect(formatPriceJpy(1200)).toMatch(/^[¥￥]1,200$/);
    expect(formatPriceJpy(495)).toMatch(/^[¥￥]495$/);
  });

  it('shows the next volume date in Japanese, or nothing without one', () => {
    expect(formatReleaseDate('2026-12-24')).toBe('2026/12/24');
    expect(formatReleaseDate(null)).toBeNull();
  });

  it('explains fallbacks and errors in words', () => {
    expect(describeDegraded('sonnet-unavailable')).toBe('Sonnet could not answer, so Haiku did');
    expect(describeDegraded('search-fallback')).toMatch(/product search/);
    expect(describeDegraded('something-new')).toBe('something-new');
    expect(describeError('busy')).toMatch(/wait/);
    expect(describeError('internal')).toBe('Something went wrong on our side. Please try again.');
  });
});

describe('waterfallRows', () => {
  const timings = {
    validate: 0.1,
    intent: 0.05,
    'cache-lookup': 0.4,
    'session-load': 2,
    'vector-search': 30,
    'prompt-assembly': 0.02,
    'fm-first-token': 180,
    'fm-total': 400,
    stream: 1,
    enqueue: 0.2,
    prefetched: 1,
    'prompt-bytes': 900,
  };

  it('lists the segments in pipeline order, leaving out what is not a duration', () => {
    expect(waterfallRows(timings, 'haiku').map((r) => r.segment)).toEqual([
      'validate',
      'intent',
      'cache-lookup',
      'session-load',
      'vector-search',
      'prompt-assembly',
      'fm-first-token',
      'fm-total',
      'stream',
      'enqueue',
    ]);
  });

  it('starts the model after the slower of session load and vector search, and enqueue after the model', () => {
    const rows = Object.fromEntries(waterfallRows(timings, 'haiku').map((r) => [r.segment, r]));
    expect(rows['session-load']!.startMs).toBeCloseTo(0.55);
    expect(rows['vector-search']!.startMs).toBeCloseTo(0.55);
    expect(rows['fm-total']!.startMs).toBeCloseTo(30.55);
    expect(rows['stream']!.startMs).toBeCloseTo(210.55);
    expect(rows['enqueue']!.startMs).toBeCloseTo(430.55);
  });

  it("holds each segment to the answering model's budget, flagging more than 20 % over", () => {
    const haiku = Object.fromEntries(waterfallRows(timings, 'haiku').map((r) => [r.segment, r]));
    expect(haiku['fm-total']).toMatchObject({ budgetMs: 300, over: true });
    expect(haiku['vector-search']).toMatchObject({ budgetMs: 150, over: false });
    const sonnet = Object.fromEntries(waterfallRows(timings, 'sonnet').map((r) => [r.segment, r]));
    expect(sonnet['fm-total']).toMatchObject({ budgetMs: 800, over: false });
    // 3.5 ms against a 3 ms budget is within the tolerance; 3.7 ms is not.
    expect(waterfallRows({ 'cache-lookup': 3.5 }, 'cache')[0]!.over).toBe(false);
    expect(waterfallRows({ 'cache-lookup': 3.7 }, 'cache')[0]!.over).toBe(true);
  });
});
