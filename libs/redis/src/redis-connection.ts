import { Redis } from 'ioredis';
import { Gauge } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

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
  /**
   * Exports the connection's in-flight commands. One ioredis connection pipelines every command of
   * the process (no pool of sockets to check out): commands sent and not yet answered are its
   * utilization, and the queue an outage or a slow server builds up.
   */
  registry?: Registry;
}

export interface RedisConnection {
  redis: Redis;
  /** Readiness check: PING, or the reason Redis cannot be used right now. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export function createRedisConnection({ url, name, logger, blocking = false, registry }: RedisConnectionOptions): RedisConnection {
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
  if (registry) {
    let tracked = REGISTERED.get(registry);
    if (!tracked) {
      const connections = new Map<string, Redis>();
      tracked = connections;
      REGISTERED.set(registry, connections);
      new Gauge({
        name: 'manga_assist_redis_commands_in_flight',
        help: 'Redis commands sent on a connection and not answered yet (ioredis pipelines them on one socket).',
        labelNames: ['connection'],
        registers: [registry],
        collect() {
          for (const [label, client] of connections) this.set({ connection: label }, client.commandQueue.length);
        },
      });
    }
    tracked.set(name, redis);
  }
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
      if (registry) REGISTERED.get(registry)?.delete(name);
      if (redis.status === 'end') return;
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}

/** Connections whose in-flight commands each registry's gauge reports. */
const REGISTERED = new WeakMap<Registry, Map<string, Redis>>();

/** host:port of a Redis URL, without credentials, for logs and readiness reasons. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'redis';
  }
}
