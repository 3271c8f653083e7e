import { DEFAULT_POOL_SETTINGS, resolvePoolSettings } from './pool-settings';
import { createConnectionPool } from './create-connection-pool';

describe('pool settings', () => {
  it('size each downstream from the reference numbers', () => {
    expect(DEFAULT_POOL_SETTINGS).toEqual({
      model: { maxSockets: 10, keepAliveMs: 60_000, connectTimeoutMs: 2_000, idleTimeoutMs: 30_000 },
      search: { maxSockets: 20, keepAliveMs: 120_000, connectTimeoutMs: 2_000, idleTimeoutMs: 5_000 },
      dynamodb: { maxSockets: 25, keepAliveMs: 300_000, connectTimeoutMs: 1_000, idleTimeoutMs: 3_000 },
      kinesis: { maxSockets: 10, keepAliveMs: 300_000, connectTimeoutMs: 1_000, idleTimeoutMs: 5_000 },
    });
  });

  it('lay overrides over the defaults, ignoring undefined ones', () => {
    expect(resolvePoolSettings('dynamodb', { maxSockets: 4, keepAliveMs: undefined })).toEqual({
      maxSockets: 4,
      keepAliveMs: 300_000,
      connectTimeoutMs: 1_000,
      idleTimeoutMs: 3_000,
    });
  });

  it('need every required setting for a pool without defaults', () => {
    expect(() => resolvePoolSettings('redis', { maxSockets: 50 })).toThrow(
      'Pool "redis" has no defaults; settings must give keepAliveMs, connectTimeoutMs',
    );
    expect(resolvePoolSettings('redis', { maxSockets: 50, keepAliveMs: 600_000, connectTimeoutMs: 1_000 })).toEqual({
      maxSockets: 50,
      keepAliveMs: 600_000,
      connectTimeoutMs: 1_000,
    });
  });

  it('reject sizes and times that are not positive integers', () => {
    expect(() => resolvePoolSettings('model', { maxSockets: 0 })).toThrow('Pool "model": maxSockets must be a positive integer, got 0');
    expect(() => resolvePoolSettings('search', { keepAliveMs: 1.5 })).toThrow(
      'Pool "search": keepAliveMs must be a positive integer, got 1.5',
    );
    expect(() => resolvePoolSettings('kinesis', { idleTimeoutMs: -1 })).toThrow(
      'Pool "kinesis": idleTimeoutMs must be a positive integer, got -1',
    );
    expect(() => resolvePoolSettings('')).toThrow('Pool name must not be empty');
  });

  it('become the agents’ options', () => {
    const pool = createConnectionPool({ name: 'search', settings: { maxSockets: 3 } });
    try {
      for (const agent of [pool.httpAgent, pool.httpsAgent]) {
        expect(agent).toMatchObject({ keepAlive: true, maxSockets: 3, maxFreeSockets: 3, scheduling: 'lifo' });
        expect((agent as typeof agent & { options: { timeout?: number } }).options.timeout).toBe(120_000);
      }
      expect(pool.settings).toEqual({ maxSockets: 3, keepAliveMs: 120_000, connectTimeoutMs: 2_000, idleTimeoutMs: 5_000 });
    } finally {
      pool.destroy();
    }
  });
});
