/**
 * Delay before reconnect attempt `attempt` (0-based): doubling from `baseMs` up to `maxMs`, with
 * up to a quarter of jitter so that many pages reconnecting after a deploy do not arrive together.
 */
export function reconnectDelayMs(attempt: number, { baseMs = 500, maxMs = 10_000, random = Math.random } = {}): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling * (0.75 + 0.25 * random()));
}
