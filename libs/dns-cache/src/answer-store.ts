import type { CacheInstance, EntryObject } from 'cacheable-lookup';

export interface StoredAnswer {
  entries: EntryObject[];
  /** On the store's clock. */
  expiresAt: number;
  /** True when this is a last good answer put back after the resolver failed. */
  stale: boolean;
}

export interface AnswerStoreOptions {
  now: () => number;
  /** Oldest hostnames are forgotten beyond this many. */
  maxHosts: number;
  /**
   * Sees every fresh answer cacheable-lookup stores and returns what is kept instead (the private
   * address policy runs here, so a refused answer is never served from the cache).
   */
  onFresh(host: string, entries: EntryObject[]): EntryObject[];
}

export interface AnswerStore {
  /** What cacheable-lookup reads and writes; expiry follows the injected clock. */
  cache: CacheInstance;
  peek(host: string): StoredAnswer | undefined;
  /** Stores an answer without the fresh-answer policy (a last good answer served stale). */
  put(host: string, entries: EntryObject[], ttlMs: number, stale: boolean): void;
  entries(): [string, StoredAnswer][];
}

/**
 * The cache behind cacheable-lookup. It is not iterable on purpose: cacheable-lookup then leaves
 * expiry to the store instead of sweeping with its own timers on the wall clock, so tests can
 * move time forward and the serve-stale logic sees the same clock.
 */
export function createAnswerStore({ now, maxHosts, onFresh }: AnswerStoreOptions): AnswerStore {
  const answers = new Map<string, StoredAnswer>();

  function put(host: string, entries: EntryObject[], ttlMs: number, stale: boolean) {
    answers.delete(host);
    answers.set(host, { entries, expiresAt: now() + ttlMs, stale });
    if (answers.size > maxHosts) {
      const oldest = answers.keys().next().value;
      if (oldest !== undefined) answers.delete(oldest);
    }
  }

  const cache: CacheInstance = {
    get(host) {
      const answer = answers.get(host);
      return answer && answer.expiresAt > now() ? answer.entries : undefined;
    },
    set(host, entries, ttlMs) {
      put(host, entries.length > 0 ? onFresh(host, entries) : entries, ttlMs, false);
    },
    delete: (host) => answers.delete(host),
    clear: () => answers.clear(),
  };

  return { cache, peek: (host) => answers.get(host), put, entries: () => [...answers.entries()] };
}
