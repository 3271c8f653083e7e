import type { Redis } from 'ioredis';
import { Counter, Gauge } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

export interface LocalEntriesLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface LocalEntriesOptions<T> {
  /** The connection values are read on; a duplicate of it receives the invalidations. */
  redis: Redis;
  /** Every key under this prefix is tracked: any write, delete or expiry of one drops it here. */
  prefix: string;
  /** Turns a stored value into what is kept (decoded once, served many times); `bytes` counts toward `maxBytes`. */
  decode(value: Buffer): T;
  /** Least recently used entries go first beyond this many bytes of stored values. */
  maxBytes?: number;
  log?: LocalEntriesLogger;
  registry?: Registry;
  /** Metric label telling one process's local caches apart. */
  name?: string;
}

/**
 * Values of Redis keys held in process memory, kept correct by Redis itself: server-assisted
 * client-side caching (`CLIENT TRACKING … BCAST PREFIX`), with invalidations pushed to a subscriber
 * connection. A held value is served without a round trip until the key is written, deleted or
 * expires; while the invalidation connection is down nothing is held or served.
 */
export interface LocalEntries<T> {
  /** The held value of `key`, or undefined when it is not held (then ask Redis, e.g. with `fetch`). */
  held(key: string): T | undefined;
  /** The held value, else the value read from Redis (kept when it may be), or null when the key does not exist. */
  fetch(key: string): Promise<T | null>;
  /**
   * For a caller that reads the key itself (say, inside a script with other reads): call before
   * sending the read, then hand the result to the returned function. The value is kept only if no
   * invalidation of the key arrived in between.
   */
  track(key: string): (stored: Buffer | null, pttlMs: number) => T | null;
  /**
   * Holds a value this process is having written to `key` (its own answer, on its way to Redis):
   * served from memory until `expiresAt` (ms since epoch) or until Redis reports the key written,
   * deleted or expired, whichever comes first. Nothing is held while invalidations do not arrive.
   */
  hold(key: string, value: T, bytes: number, expiresAt: number): boolean;
  /** True while invalidations arrive, i.e. while values may be held. */
  readonly live: boolean;
  /** Entries and bytes held now. */
  size(): { entries: number; bytes: number };
  close(): Promise<void>;
}

interface Held<T> {
  value: T;
  bytes: number;
  /** ms since epoch (Date.now) after which the key has expired in Redis; Infinity without a TTL. */
  expiresAt: number;
}

const INVALIDATE_CHANNEL = '__redis__:invalidate';

export function createLocalEntries<T>({ redis, prefix, decode, maxBytes = 64 * 1024 * 1024, log, registry, name = 'response-cache' }: LocalEntriesOptions<T>): LocalEntries<T> {
  const entries = new Map<string, Held<T>>();
  /** Reads in flight, by key: an invalidation that arrives meanwhile voids what the read returns. */
  const reading = new Map<string, symbol>();
  let bytes = 0;
  let live = false;
  let closed = false;

  // One set of metrics per registry, labelled by cache.
  const existing = <M>(metric: string) => registry?.getSingleMetric(metric) as M | undefined;
  const lookups = registry
    ? existing<Counter<'cache' | 'outcome'>>('manga_assist_local_cache_lookups_total') ?? new Counter({
        name: 'manga_assist_local_cache_lookups_total',
        help: 'Lookups in a process-local cache of Redis values: held (no round trip) or read from Redis.',
        labelNames: ['cache', 'outcome'],
        registers: [registry],
      })
    : undefined;
  const invalidations = registry
    ? existing<Counter<'cache' | 'kind'>>('manga_assist_local_cache_invalidations_total') ?? new Counter({
        name: 'manga_assist_local_cache_invalidations_total',
        help: 'Keys Redis reported written, deleted or expired (whether held or not), and full clears when invalidations could not arrive.',
        labelNames: ['cache', 'kind'],
        registers: [registry],
      })
    : undefined;
  const heldBytes = registry
    ? existing<Gauge<'cache'>>('manga_assist_local_cache_bytes') ?? new Gauge({
        name: 'manga_assist_local_cache_bytes',
        help: 'Bytes of stored values held in a process-local cache of Redis values.',
        labelNames: ['cache'],
        registers: [registry],
      })
    : undefined;

  const drop = (key: string) => {
    const entry = entries.get(key);
    if (entry) {
      entries.delete(key);
      bytes -= entry.bytes;
    }
    reading.delete(key);
    heldBytes?.set({ cache: name }, bytes);
  };
  const clear = () => {
    entries.clear();
    reading.clear();
    bytes = 0;
    heldBytes?.set({ cache: name }, 0);
  };

  // The tracking client redirects invalidations to itself: one connection both registers the
  // prefix and receives the messages, so losing it loses both together.
  const subscriber = redis.duplicate({
    connectionName: `${redis.options.connectionName ?? 'manga-assist'}:invalidations`,
    autoResubscribe: false,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  const startTracking = async () => {
    try {
      const id = await subscriber.client('ID');
      await subscriber.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', prefix);
      await subscriber.subscribe(INVALIDATE_CHANNEL);
      clear();
      live = true;
      log?.info({ prefix }, 'local cache tracking Redis invalidations');
    } catch (error) {
      if (!closed) log?.warn({ err: (error as Error).message, prefix }, 'local cache cannot track invalidations: every lookup goes to Redis');
    }
  };
  const lost = () => {
    if (!live) return;
    live = false;
    clear();
    invalidations?.inc({ cache: name, kind: 'clear' });
    if (!closed) log?.warn({ prefix }, 'local cache lost its invalidations: cleared until they are back');
  };
  subscriber.on('ready', () => void startTracking());
  subscriber.on('close', lost);
  subscriber.on('end', lost);
  subscriber.on('error', () => {
    // Reported by the data connection; a lost subscriber shows as `close`.
  });
  subscriber.on('messageBuffer', (channel: Buffer, message: Buffer[] | Buffer | null) => {
    if (channel.toString() !== INVALIDATE_CHANNEL) return;
    // A null message means the whole database was flushed.
    if (!Array.isArray(message)) {
      clear();
      invalidations?.inc({ cache: name, kind: 'flush' });
      return;
    }
    for (const key of message) drop(key.toString());
    invalidations?.inc({ cache: name, kind: 'key' }, message.length);
  });
  subscriber.connect().catch(() => {
    // Retried by ioredis; `ready` starts tracking.
  });

  const keep = (key: string, value: T, size: number, expiresAt: number) => {
    if (size > maxBytes) return;
    drop(key);
    entries.set(key, { value, bytes: size, expiresAt });
    bytes += size;
    for (const [oldest, entry] of entries) {
      if (bytes <= maxBytes) break;
      entries.delete(oldest);
      bytes -= entry.bytes;
    }
    heldBytes?.set({ cache: name }, bytes);
  };

  const held = (key: string): T | undefined => {
    if (!live) return undefined;
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      drop(key);
      return undefined;
    }
    // Most recently used last: eviction walks the map from the front.
    entries.delete(key);
    entries.set(key, entry);
    return entry.value;
  };

  const track = (key: string) => {
    const token = Symbol(key);
    const mayKeep = live;
    if (mayKeep) reading.set(key, token);
    const sentAt = Date.now();
    return (stored: Buffer | null, pttlMs: number): T | null => {
      const current = reading.get(key) === token;
      if (current) reading.delete(key);
      if (!stored) return null;
      const decoded = decode(stored);
      // Kept only if no invalidation for the key (nor a clear) arrived since the read was sent.
      if (mayKeep && live && current && pttlMs !== -2) keep(key, decoded, stored.length, pttlMs === -1 ? Infinity : sentAt + pttlMs);
      return decoded;
    };
  };

  return {
    held(key) {
      const value = held(key);
      lookups?.inc({ cache: name, outcome: value === undefined ? 'miss' : 'held' });
      return value;
    },
    async fetch(key) {
      const value = held(key);
      if (value !== undefined) {
        lookups?.inc({ cache: name, outcome: 'held' });
        return value;
      }
      lookups?.inc({ cache: name, outcome: 'miss' });
      const settle = track(key);
      let replies;
      try {
        replies = await redis.pipeline().getBuffer(key).pttl(key).exec();
      } catch (error) {
        settle(null, -2);
        throw error;
      }
      const [[getError, stored], [, ttl]] = replies as [[Error | null, Buffer | null], [Error | null, number]];
      if (getError) {
        settle(null, -2);
        throw getError;
      }
      return settle(stored, ttl);
    },
    track,
    hold(key, value, size, expiresAt) {
      if (!live || expiresAt <= Date.now()) return false;
      // A read in flight must not replace it with what Redis held before the write.
      reading.delete(key);
      keep(key, value, size, expiresAt);
      return entries.has(key);
    },
    get live() {
      return live;
    },
    size: () => ({ entries: entries.size, bytes }),
    async close() {
      closed = true;
      live = false;
      clear();
      if (subscriber.status === 'end') return;
      try {
        await subscriber.quit();
      } catch {
        subscriber.disconnect();
      }
    },
  };
}
