import { reconnectDelayMs } from './backoff';

describe('reconnectDelayMs', () => {
  it('doubles from half a second and stops at ten seconds', () => {
    const top = { random: () => 1 };
    expect([0, 1, 2, 3, 4, 5, 6, 30].map((n) => reconnectDelayMs(n, top))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('spreads reconnects over the last quarter of each step', () => {
    expect(reconnectDelayMs(2, { random: () => 0 })).toBe(1500);
  });
});
