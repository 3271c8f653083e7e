import { createProbeHistory } from './probe-history';
import { Ring } from './ring';
import { sampleResult } from './test-results';

describe('ring', () => {
  it('keeps the newest items up to its capacity, newest first', () => {
    const ring = new Ring<number>(3);
    for (const n of [1, 2, 3, 4, 5]) ring.push(n);
    expect(ring.newest()).toEqual([5, 4, 3]);
    expect(ring.newest(2)).toEqual([5, 4]);
    expect(ring.size).toBe(3);
  });
});

describe('probe history', () => {
  it('records results per endpoint and the status transitions between them', () => {
    const history = createProbeHistory({ capacity: 3 });
    const at = (minute: number) => `2025-06-01T05:0${minute}:00.000Z`;
    const transitions = [
      history.record(sampleResult({ checkedAt: at(0) })),
      history.record(sampleResult({ checkedAt: at(1) })),
      history.record(sampleResult({ checkedAt: at(2), status: 'degraded', notes: ['DNS resolution slow: 7.0 ms (expected < 5 ms)'] })),
      history.record(sampleResult({ checkedAt: at(3) })),
      history.record(sampleResult({ checkedAt: at(4) })),
    ];
    expect(transitions.map((t) => (t ? `${t.from}->${t.to}` : null))).toEqual([
      'null->healthy',
      null,
      'healthy->degraded',
      'degraded->healthy',
      null,
    ]);
    const recent = history.history('bedrock-runtime', 10)!;
    expect(recent.capacity).toBe(3);
    expect(recent.results.map((r) => r.checkedAt)).toEqual([at(4), at(3), at(2)]);
    expect(recent.transitions.map((t) => t.at)).toEqual([at(3), at(2), at(0)]);
    expect(recent.transitions[1]!.notes).toEqual(['DNS resolution slow: 7.0 ms (expected < 5 ms)']);
    expect(history.history('bedrock-runtime', 1)!.results).toHaveLength(1);
    expect(history.latest('bedrock-runtime')!.checkedAt).toBe(at(4));
    expect(history.history('s3', 5)).toBeNull();
  });
});
