import { createConnectionPool } from '@manga-assist/pools';
import { modelPoolSettings } from './model-pool';

describe('model pool size', () => {
  it('has a socket for every call the Haiku and Sonnet bulkheads admit at once (40 + 40 by default)', () => {
    expect(modelPoolSettings({})).toEqual({ maxSockets: 80 });
  });

  it('follows bulkhead limits set by the environment', () => {
    const pool = createConnectionPool({ name: 'model', settings: modelPoolSettings({ haiku: { bulkhead: { limit: 100 } }, sonnet: { bulkhead: { limit: 20 } } }) });
    expect(pool.stats().max).toBe(120);
    pool.destroy();
  });
});
