import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Registry } from '@manga-assist/telemetry';
import { trackInvalidations } from './invalidation-tracking';
import type { InvalidationLogger } from './invalidation-tracking';
import { createLocalCacheMetrics } from './local-cache-metrics';

export type LocalEntriesLogger = InvalidationLogger;

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
}

export function createLocalEntries<T>({ redis, prefix, decode, maxBytes = 64 * 1024 * 1024, log, registry, name = 'response-cache' }: LocalEntriesOptions<T>): LocalEntries<T> {
  // lru-cache needs a positive bound; a caller that wants nothing held builds no local entries.
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`local cache maxBytes must be a positive integer, got ${maxBytes}`);
  const metrics = createLocalCacheMetrics(registry, name);
  // Least recently used values go first beyond maxBytes of stored values; each expires with its
  // key's TTL in Redis. A value larger than maxBytes is not held at all.
  const entries = new LRUCache<string, Held<T>>({ maxSize: maxBytes });
  /** Reads in flight, by key: an invalidation that arrives meanwhile voids what the read returns. */
  const reading = new Map<string, symbol>();
  const reportBytes = () => metrics.heldBytes(entries.calculatedSize);

  const drop = (key: string) => {
    entries.delete(key);
    reading.delete(key);
    reportBytes();
  };
  const clear = () => {
    entries.clear();
    reading.clear();
    metrics.heldBytes(0);
  };

  const tracking = trackInvalidations({
    redis,
    prefix,
    log,
    on: {
      started: clear,
      lost() {
        clear();
        metrics.invalidated('clear');
      },
      keys(keys) {
        for (const key of keys) drop(key);
        metrics.invalidated('key', keys.length);
      },
      flushed() {
        clear();
        metrics.invalidated('flush');
      },
    },
  });

  const held = (key: string): T | undefined => {
    if (!tracking.live) return undefined;
    const before = entries.size;
    const entry = entries.get(key);
    // A value past its TTL is dropped by the lookup.
    if (entries.size !== before) reportBytes();
    return entry?.value;
  };

  /** `sentAt` and `pttlMs` on performance.now()'s clock, as lru-cache's TTLs are. */
  const keep = (key: string, value: T, bytes: number, sentAt: number, pttlMs: number) => {
    // PTTL -1: no expiry (lru-cache's ttl 0); 0: expiring now, not worth holding.
    if (pttlMs === 0) return;
    entries.set(key, { value }, { size: Math.max(1, bytes), ttl: pttlMs === -1 ? 0 : pttlMs, start: sentAt });
    reportBytes();
  };

  const track = (key: string) => {
    const token = Symbol(key);
    const mayKeep = tracking.live;
    if (mayKeep) reading.set(key, token);
    const sentAt = performance.now();
    return (stored: Buffer | null, pttlMs: number): T | null => {
      const current = reading.get(key) === token;
      if (current) reading.delete(key);
      if (!stored) return null;
      const decoded = decode(stored);
      // Kept only if no invalidation for the key (nor a clear) arrived since the read was sent.
      if (mayKeep && tracking.live && current && pttlMs !== -2) keep(key, decoded, stored.length, sentAt, pttlMs);
      return decoded;
    };
  };

  const readFromRedis = async (key: string): Promise<T | null> => {
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
  };

  return {
    held(key) {
      const value = held(key);
      metrics.lookup(value === undefined ? 'miss' : 'held');
      return value;
    },
    async fetch(key) {
      const value = held(key);
      metrics.lookup(value === undefined ? 'miss' : 'held');
      return value !== undefined ? value : readFromRedis(key);
    },
    track,
    hold(key, value, size, expiresAt) {
      const ttlMs = expiresAt - Date.now();
      if (!tracking.live || ttlMs <= 0) return false;
      // A read in flight must not replace it with what Redis held before the write.
      reading.delete(key);
      keep(key, value, size, performance.now(), ttlMs === Infinity ? -1 : Math.ceil(ttlMs));
      return entries.has(key);
    },
    get live() {
      return tracking.live;
    },
    size: () => ({ entries: entries.size, bytes: entries.calculatedSize }),
    async close() {
      const closing = tracking.close();
      clear();
      await closing;
    },
  };
}
