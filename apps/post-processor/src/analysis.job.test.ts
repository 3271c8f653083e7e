import { percentOf } from './analysis.job';

describe('analysis progress', () => {
  it('moves forward with every token and stays below 100 until the result is stored', () => {
    const bar = [0, 1, 10, 60, 200, 1000, 4096, 100_000].map(percentOf);
    expect(bar[0]).toBe(5);
    expect(bar).toEqual([...bar].sort((a, b) => a - b));
    expect(new Set(bar).size).toBeGreaterThan(5);
    expect(Math.max(...bar)).toBe(95);
    // A short answer (the local model's ~60 tokens) already shows real movement.
    expect(percentOf(60)).toBeGreaterThan(20);
  });
});
