import { Redis } from 'ioredis';
import { createMetricsRegistry } from '@manga-assist/telemetry';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import { createLocalEntries } from '../src';
import type { LocalEntries } from '../src';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('local entries (server-assisted client-side caching)', () => {
  const prefix = uniquePrefix('le');
  const name = `manga-assist:test:${prefix}`;
  const reader = new Redis(testRedisUrl(), { connectionName: name });
  const writer = new Redis(testRedisUrl());
  const decoded: string[] = [];
  const registry = createMetricsRegistry('cache-test');
  let entries: LocalEntries<string>;

  beforeAll(async () => {
    entries = createLocalEntries({
      redis: reader,
      prefix,
      registry,
      decode: (value) => {
        decoded.push(value.toString());
        return value.toString();
      },
    });
    await waitFor(() => entries.live, { description: 'invalidation tracking' });
  });

  afterAll(async () => {
    await entries.close();
    await deleteKeysWithPrefix(writer, prefix);
    reader.disconnect();
    writer.disconnect();
  });

  it('holds a value once read, and serves it with no Redis call and no second decode', async () => {
    await writer.set(`${prefix}a`, 'first', 'EX', 60);
    expect(entries.held(`${prefix}a`)).toBeUndefined();
    expect(await entries.fetch(`${prefix}a`)).toBe('first');
    const decodes = decoded.length;
    // held() is synchronous: it cannot have asked Redis.
    expect(entries.held(`${prefix}a`)).toBe('first');
    expect(await entries.fetch(`${prefix}a`)).toBe('first');
    expect(decoded.length).toBe(decodes);
    expect(await registry.getSingleMetricAsString('manga_assist_local_cache_lookups_total')).toMatch(/outcome="held"[^}]*} 2\b/);
  });

  it('serves a value it holds before Redis has it, until the write reaches Redis', async () => {
    const key = `${prefix}early`;
    expect(entries.hold(key, 'early answer', 12, Date.now() + 60_000)).toBe(true);
    expect(entries.held(key)).toBe('early answer');
    await writer.set(key, 'stored answer', 'EX', 60);
    await waitFor(() => entries.held(key) === undefined, { description: 'the held value dropped by the write' });
    expect(await entries.fetch(key)).toBe('stored answer');
  });

  it('holds nothing already expired', () => {
    expect(entries.hold(`${prefix}expired`, 'x', 1, Date.now() - 1)).toBe(false);
    expect(entries.held(`${prefix}expired`)).toBeUndefined();
  });

  it('drops a value another client overwrites or deletes, and reads the new one', async () => {
    await writer.set(`${prefix}b`, 'old', 'EX', 60);
    expect(await entries.fetch(`${prefix}b`)).toBe('old');
    await writer.set(`${prefix}b`, 'new', 'EX', 60);
    await waitFor(() => entries.held(`${prefix}b`) === undefined, { timeoutMs: 1000, intervalMs: 5, description: 'invalidation after a write' });
    expect(await entries.fetch(`${prefix}b`)).toBe('new');
    expect(entries.held(`${prefix}b`)).toBe('new');

    await writer.del(`${prefix}b`);
    await waitFor(() => entries.held(`${prefix}b`) === undefined, { timeoutMs: 1000, intervalMs: 5, description: 'invalidation after a delete' });
    expect(await entries.fetch(`${prefix}b`)).toBeNull();
  });

  it('never serves a value past its TTL in Redis', async () => {
    await writer.set(`${prefix}c`, 'short-lived', 'PX', 300);
    expect(await entries.fetch(`${prefix}c`)).toBe('short-lived');
    expect(entries.held(`${prefix}c`)).toBe('short-lived');
    await sleep(320);
    expect(entries.held(`${prefix}c`)).toBeUndefined();
    expect(await entries.fetch(`${prefix}c`)).toBeNull();
  });

  it('does not keep a value read just before another client overwrote it', async () => {
    // The read's reply and the write's invalidation arrive on two sockets in either order: the
    // event loop is held until both are waiting, so each order happens across the rounds.
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const stale: string[] = [];
    for (let round = 0; round < 60; round++) {
      const key = `${prefix}race:${round}`;
      await writer.set(key, 'old', 'EX', 60);
      const read = entries.fetch(key);
      const write = writer.set(key, 'new', 'EX', 60);
      busy(3);
      await Promise.all([read, write]);
      await sleep(2);
      const held = entries.held(key);
      if (held !== undefined && held !== 'new') stale.push(`${key}: ${held}`);
    }
    expect(stale).toEqual([]);
  });

  it('holds nothing while its invalidation connection is gone, and tracks again once it is back', async () => {
    await writer.set(`${prefix}d`, 'before', 'EX', 60);
    expect(await entries.fetch(`${prefix}d`)).toBe('before');
    const list = (await writer.client('LIST')) as string;
    const line = list.split('\n').find((l) => l.includes(`name=${name}:invalidations`));
    const id = /\bid=(\d+)/.exec(line ?? '')?.[1];
    expect(id).toBeDefined();
    await writer.client('KILL', 'ID', id!);
    await waitFor(() => !entries.live, { timeoutMs: 2000, intervalMs: 5, description: 'tracking lost' });
    expect(entries.held(`${prefix}d`)).toBeUndefined();
    // Written while no invalidation can arrive: must not be missed.
    await writer.set(`${prefix}d`, 'during', 'EX', 60);
    expect(await entries.fetch(`${prefix}d`)).toBe('during');
    await waitFor(() => entries.live, { timeoutMs: 5000, description: 'tracking again' });
    expect(await entries.fetch(`${prefix}d`)).toBe('during');
    expect(entries.held(`${prefix}d`)).toBe('during');
    await writer.set(`${prefix}d`, 'after', 'EX', 60);
    await waitFor(() => entries.held(`${prefix}d`) === undefined, { timeoutMs: 1000, intervalMs: 5, description: 'invalidation after reconnecting' });
    expect(await entries.fetch(`${prefix}d`)).toBe('after');
  });

  it('refuses a byte limit it cannot hold anything under, saying which', () => {
    expect(() => createLocalEntries({ redis: reader, prefix: `${prefix}none:`, decode: (v) => v.toString(), maxBytes: 0 })).toThrow(
      'local cache maxBytes must be a positive integer, got 0',
    );
  });

  it('drops the least recently used values beyond its byte limit', async () => {
    const small = createLocalEntries({ redis: reader, prefix: `${prefix}lru:`, decode: (v) => v.toString(), maxBytes: 250, registry, name: 'lru-test' });
    try {
      await waitFor(() => small.live, { description: 'invalidation tracking' });
      for (const k of ['x', 'y', 'z']) await writer.set(`${prefix}lru:${k}`, k.repeat(100), 'EX', 60);
      await small.fetch(`${prefix}lru:x`);
      await small.fetch(`${prefix}lru:y`);
      small.held(`${prefix}lru:x`); // x is now the most recently used
      await small.fetch(`${prefix}lru:z`);
      expect(small.size()).toEqual({ entries: 2, bytes: 200 });
      expect(await registry.metrics()).toContain('manga_assist_local_cache_bytes{cache="lru-test",app="cache-test"} 200');
      expect(small.held(`${prefix}lru:y`)).toBeUndefined();
      expect(small.held(`${prefix}lru:x`)).toBe('x'.repeat(100));
      expect(small.held(`${prefix}lru:z`)).toBe('z'.repeat(100));
    } finally {
      await small.close();
    }
  });
});
