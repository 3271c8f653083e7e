import { Redis } from 'ioredis';

/** The part of a pino logger this lib uses. */
export interface RedisLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface RedisConnectionOptions {
  url: string;
  /** Shown in CLIENT LIST and in logs, e.g. "chat-gateway:cache". */
  name: string;
  logger: RedisLogger;
  /**
   * BullMQ workers need commands to wait for a reconnect (maxRetriesPerRequest: null); everything
   * on the request path must instead fail fast while Redis is away, so the caller can degrade.
   */
  blocking?: boolean;
}

export interface RedisConnection {
  redis: Redis;
  /** Readiness check: PING, or the reason Redis cannot be used right now. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export function createRedisConnection({ url, name, logger, blocking = false }: RedisConnectionOptions): RedisConnection {
  const target = redactUrl(url);
  let lastError: string | null = null;
  const redis = new Redis(url, {
    connectionName: `manga-assist:${name}`,
    lazyConnect: false,
    enableOfflineQueue: blocking,
    maxRetriesPerRequest: blocking ? null : 1,
    connectTimeout: 2000,
    // Reconnect forever with a capped backoff: Redis coming back must need no restart.
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
  });
  redis.on('error', (error: Error) => {
    if (error.message !== lastError) logger.warn({ redis: target, connection: name, err: error.message }, 'redis error');
    lastError = error.message;
  });
  redis.on('ready', () => {
    if (lastError !== null) logger.info({ redis: target, connection: name }, 'redis reconnected');
    lastError = null;
  });

  return {
    redis,
    async check() {
      if (redis.status !== 'ready') {
        throw new Error(`${lastError ?? `not connected (${redis.status})`} (${target})`);
      }
      await redis.ping();
    },
    async close() {
      if (redis.status === 'end') return;
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}

/** host:port of a Redis URL, without credentials, for logs and readiness reasons. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'redis';
  }
}
