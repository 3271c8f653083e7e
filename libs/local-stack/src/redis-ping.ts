import { Redis } from 'ioredis';

/** Resolves when `url` answers PING; rejects at once (no reconnect loop) otherwise. */
export async function pingRedis(url: string, { timeoutMs = 1000 } = {}): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() rejects with a bare "Connection is closed."; the socket's own error says why.
  let socketError: unknown;
  redis.on('error', (error) => {
    socketError ??= error;
  });
  try {
    await redis.connect();
    const reply = await redis.ping();
    if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
  } catch (error) {
    throw socketError ?? error;
  } finally {
    // After a failed connect the socket is gone already; disconnect() would then arm a 2 s
    // timer that nothing clears, holding the process (and test runs) open.
    if (redis.status !== 'end') redis.disconnect();
  }
}

export function redisErrorText(error: unknown): string {
  const { message, code } = (typeof error === 'object' && error !== null ? error : {}) as { message?: unknown; code?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  return typeof code === 'string' ? code : String(error);
}
