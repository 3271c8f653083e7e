import { Redis } from 'ioredis';

export interface SubscriberConnection {
  /** Only for SUBSCRIBE / PSUBSCRIBE and their messages: a subscribed connection can do nothing else. */
  redis: Redis;
  /** Leaves Redis (QUIT, which a subscribed connection may send), or drops the socket if it is not connected. */
  close(): Promise<void>;
}

export interface SubscriberConnectionOptions {
  url: string;
  /** Shown in CLIENT LIST, e.g. "manga-assist:pushes". */
  name: string;
  /** Each distinct error is logged once, as `<label>: redis error`, so an outage does not flood the log. */
  label: string;
  log?: { warn(obj: object, msg?: string): void };
}

/**
 * A Redis connection of its own for a pub/sub listener: it waits for Redis however long it takes
 * (messages must flow again without a restart) with a backoff capped at 2 s, and ioredis
 * subscribes again by itself after a reconnect. Creating it returns at once, so an app starts
 * (and reports itself not ready) even while Redis is away.
 */
export function createSubscriberConnection({ url, name, label, log }: SubscriberConnectionOptions): SubscriberConnection {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
  });
  let lastError: string | null = null;
  redis.on('error', (error: Error) => {
    if (error.message !== lastError) log?.warn({ err: error.message }, `${label}: redis error`);
    lastError = error.message;
  });
  return {
    redis,
    async close() {
      if (redis.status === 'end') return;
      if (redis.status !== 'ready') return redis.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
