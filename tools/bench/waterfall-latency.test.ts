import { SEED_TABLE, drawLatency, percentile, seededRandom } from './waterfall-latency';

describe('waterfall latencies', () => {
  it('draws each segment with the p50 and p95 of seed 001 (within 5 %)', () => {
    const random = seededRandom(7);
    for (const { p50, p95 } of Object.values(SEED_TABLE)) {
      const draws = Array.from({ length: 20_000 }, () => drawLatency(random, { p50, p95 }));
      expect(Math.abs(percentile(draws, 50) / p50 - 1)).toBeLessThan(0.05);
      expect(Math.abs(percentile(draws, 95) / p95 - 1)).toBeLessThan(0.05);
    }
  });

  it('repeats its draws for the same seed, and not for another', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });
});
