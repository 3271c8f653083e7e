import type { Redis } from 'ioredis';

export interface InvalidationLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface InvalidationHandlers {
  /** Tracking (re)started: anything held from before may have changed unseen. */
  started(): void;
  /** Invalidations can no longer arrive. */
  lost(): void;
  /** Keys written, deleted or expired. */
  keys(keys: string[]): void;
  /** The whole database was flushed. */
  flushed(): void;
}

export interface InvalidationTracking {
  /** True while invalidations arrive. */
  readonly live: boolean;
  close(): Promise<void>;
}

const INVALIDATE_CHANNEL = '__redis__:invalidate';

/**
 * Server-assisted client-side caching's half in Redis: `CLIENT TRACKING … BCAST PREFIX` on a
 * connection of its own, with the invalidations redirected to that same connection, so losing it
 * loses both together (and `lost` is reported once).
 */
export function trackInvalidations({
  redis,
  prefix,
  log,
  on,
}: {
  redis: Redis;
  prefix: string;
  log?: InvalidationLogger;
  on: InvalidationHandlers;
}): InvalidationTracking {
  let live = false;
  let closed = false;
  const subscriber = redis.duplicate({
    connectionName: `${redis.options.connectionName ?? 'manga-assist'}:invalidations`,
    autoResubscribe: false,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  const start = async () => {
    try {
      const id = await subscriber.client('ID');
      await subscriber.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', prefix);
      await subscriber.subscribe(INVALIDATE_CHANNEL);
      on.started();
      live = true;
      log?.info({ prefix }, 'local cache tracking Redis invalidations');
    } catch (error) {
      if (!closed) log?.warn({ err: (error as Error).message, prefix }, 'local cache cannot track invalidations: every lookup goes to Redis');
    }
  };
  const lost = () => {
    if (!live) return;
    live = false;
    on.lost();
    if (!closed) log?.warn({ prefix }, 'local cache lost its invalidations: cleared until they are back');
  };
  subscriber.on('ready', () => void start());
  subscriber.on('close', lost);
  subscriber.on('end', lost);
  subscriber.on('error', () => {
    // Reported by the data connection; a lost subscriber shows as `close`.
  });
  subscriber.on('messageBuffer', (channel: Buffer, message: Buffer[] | Buffer | null) => {
    if (channel.toString() !== INVALIDATE_CHANNEL) return;
    // A null message means the whole database was flushed.
    if (!Array.isArray(message)) on.flushed();
    else on.keys(message.map((key) => key.toString()));
  });
  subscriber.connect().catch(() => {
    // Retried by ioredis; `ready` starts tracking.
  });

  return {
    get live() {
      return live;
    },
    async close() {
      closed = true;
      live = false;
      if (subscriber.status === 'end') return;
      try {
        await subscriber.quit();
      } catch {
        subscriber.disconnect();
      }
    },
  };
}
