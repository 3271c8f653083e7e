// The fair limits against the real Redis: shared by instances, leases that outlive a dead
// instance only briefly, and a Redis that cannot be reached (each instance then limits alone).
import { Redis } from 'ioredis';
import { loadConfig } from '@manga-assist/config';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';
import { deleteKeysWithPrefix, freePort, testRedisUrl, uniquePrefix, waitFor, watchRedisCommands } from '@manga-assist/testing';
import { createFairLimits } from '../src/fair-limits';
import type { FairLimits } from '../src/fair-limits';
import { limitsShape } from '../src/limits-config';
import { z } from 'zod';

jest.setTimeout(30_000);

const settings = (env: Record<string, string>) => loadConfig(z.object(limitsShape), env);
const metric = async (registry: Registry, name: string, limit: string) =>
  ((await registry.getSingleMetric(name)?.get())?.values ?? []).find((v) => v.labels['limit'] === limit)?.value ?? 0;

describe('fair limits in Redis', () => {
  const prefix = uniquePrefix('limits');
  const redis = new Redis(testRedisUrl());
  const opened: FairLimits[] = [];
  const logger = createLogger({ app: 'chat-gateway', level: 'silent' });
  const limitsOn = (client: Redis, env: Record<string, string>, registry = createMetricsRegistry('chat-gateway', { defaultMetrics: false })) => {
    const limits = createFairLimits({ config: { ...settings(env), KEY_PREFIX: prefix }, redis: client, registry, log: logger });
    opened.push(limits);
    return limits;
  };

  // A client still connecting is a Redis that is not there: the limiters would count alone.
  beforeAll(() => waitFor(() => redis.status === 'ready', { timeoutMs: 5_000 }));

  afterAll(async () => {
    for (const limits of opened) limits.close();
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  });

  it('counts a user’s messages across instances and says when the next one is taken', async () => {
    const a = limitsOn(redis, { LIMIT_MESSAGES: '2', LIMIT_MESSAGES_WINDOW_S: '2' });
    const b = limitsOn(redis, { LIMIT_MESSAGES: '2', LIMIT_MESSAGES_WINDOW_S: '2' });
    expect(await a.consume('messages', 'u1')).toEqual({ allowed: true });
    expect(await b.consume('messages', 'u1')).toEqual({ allowed: true });
    const refused = await a.consume('messages', 'u1');
    expect(refused).toMatchObject({ allowed: false, limit: 'messages' });
    if (refused.allowed) throw new Error('unreachable');
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(2000);
    // Another user is not affected; the keys live under KEY_PREFIX.
    expect(await b.consume('messages', 'u2')).toEqual({ allowed: true });
    expect((await redis.keys(`${prefix}limits:messages*`)).length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, refused.retryAfterMs + 50));
    expect(await b.consume('messages', 'u1')).toEqual({ allowed: true });
  });

  it('holds connection slots per user and per IP until released, on any instance', async () => {
    const env = { LIMIT_CONNECTIONS_PER_USER: '2', LIMIT_CONNECTIONS_PER_IP: '3' };
    const a = limitsOn(redis, env);
    const b = limitsOn(redis, env);
    const first = await a.openConnection('c1', 'alice', '203.0.113.1');
    const second = await b.openConnection('c2', 'alice', '203.0.113.2');
    expect([first.allowed, second.allowed]).toEqual([true, true]);
    expect(await a.openConnection('c3', 'alice', '203.0.113.3')).toMatchObject({ allowed: false, limit: 'connections_per_user' });
    // Three users behind one address: the fourth is refused for the address.
    for (const [id, user] of [['d1', 'bob'], ['d2', 'carol'], ['d3', 'dave']]) expect((await b.openConnection(id!, user!, '198.51.100.7')).allowed).toBe(true);
    expect(await a.openConnection('d4', 'erin', '198.51.100.7')).toMatchObject({ allowed: false, limit: 'connections_per_ip' });
    if (!first.allowed) throw new Error('unreachable');
    await first.release();
    await first.release(); // twice is harmless
    expect((await b.openConnection('c3', 'alice', '203.0.113.3')).allowed).toBe(true);
    expect(await b.openConnection('c4', 'alice', '203.0.113.3')).toMatchObject({ allowed: false });
  });

  it('frees the slots of an instance that died once their lease runs out, and keeps a live one’s', async () => {
    const env = { LIMIT_CONNECTIONS_PER_USER: '1', LIMIT_CONNECTION_LEASE_S: '3' };
    const dying = limitsOn(redis, env);
    const alive = limitsOn(redis, env);
    expect((await dying.openConnection('x1', 'frank', '192.0.2.1')).allowed).toBe(true);
    expect((await alive.openConnection('y1', 'grace', '192.0.2.2')).allowed).toBe(true);
    dying.close(); // no release, no more heartbeats: as if the process were killed
    expect(await alive.openConnection('x2', 'frank', '192.0.2.1')).toMatchObject({ allowed: false, limit: 'connections_per_user' });
    await waitFor(async () => (await alive.openConnection('x2', 'frank', '192.0.2.1')).allowed, { timeoutMs: 6_000, intervalMs: 250 });
    // grace's connection is still held: its instance refreshed the lease (every second here).
    expect(await alive.openConnection('y2', 'grace', '192.0.2.2')).toMatchObject({ allowed: false, limit: 'connections_per_user' });
  });

  it('keeps 2,000 slots with one command a beat, and counts them again after Redis lost them', async () => {
    const env = { LIMIT_CONNECTIONS_PER_USER: '2', LIMIT_CONNECTIONS_PER_IP: '5000', LIMIT_CONNECTION_LEASE_S: '3' };
    const own = new Redis(testRedisUrl());
    await waitFor(() => own.status === 'ready', { timeoutMs: 5_000 });
    const holder = limitsOn(own, env);
    const other = limitsOn(redis, env);
    try {
      for (let i = 0; i < 2000; i++) expect((await holder.openConnection(`idle-${i}`, `user-${i % 1000}`, '198.51.100.20')).allowed).toBe(true);
      expect(await other.openConnection('extra', 'user-7', '198.51.100.21')).toMatchObject({ allowed: false, limit: 'connections_per_user' });

      // Every command the holder's Redis connection sends over two and a half beats (one a second here).
      const watch = await watchRedisCommands(testRedisUrl());
      let sent: string[];
      try {
        await new Promise((r) => setTimeout(r, 2500));
        sent = watch.sentBy(own);
      } finally {
        watch.stop();
      }
      expect(sent.length).toBeGreaterThanOrEqual(2);
      expect(sent.length).toBeLessThanOrEqual(3);
      expect(new Set(sent)).toEqual(new Set(['set']));

      // Redis lost the slots (a restart without persistence): within a beat they count again.
      await deleteKeysWithPrefix(redis, `${prefix}limits:connections:`);
      await deleteKeysWithPrefix(redis, `${prefix}limits:instance:`);
      const refusedNow = async () => {
        const probe = await other.openConnection('probe', 'user-8', '198.51.100.21');
        if (probe.allowed) await probe.release();
        return !probe.allowed;
      };
      expect(await refusedNow()).toBe(false);
      await waitFor(refusedNow, { timeoutMs: 3_000, intervalMs: 200, description: 'slots counted again' });
      expect(await other.openConnection('extra', 'user-7', '198.51.100.21')).toMatchObject({ allowed: false, limit: 'connections_per_user' });
    } finally {
      own.disconnect();
    }
  });

  it('without Redis, lets connections in and limits messages per instance, counting each fallback', async () => {
    const down = new Redis({ port: await freePort(), host: '127.0.0.1', enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 1000, lazyConnect: false });
    down.on('error', () => undefined);
    const registry = createMetricsRegistry('chat-gateway', { defaultMetrics: false });
    const limits = limitsOn(down, { LIMIT_MESSAGES: '2', LIMIT_CONNECTIONS_PER_USER: '1' }, registry);
    try {
      expect(await limits.consume('messages', 'henry')).toEqual({ allowed: true });
      expect(await limits.consume('messages', 'henry')).toEqual({ allowed: true });
      expect(await limits.consume('messages', 'henry')).toMatchObject({ allowed: false, limit: 'messages' });
      expect((await limits.openConnection('z1', 'henry', '192.0.2.9')).allowed).toBe(true);
      expect((await limits.openConnection('z2', 'henry', '192.0.2.9')).allowed).toBe(true);
      expect(await metric(registry, 'manga_assist_limit_store_unavailable_total', 'messages')).toBe(3);
      expect(await metric(registry, 'manga_assist_limit_store_unavailable_total', 'connections')).toBe(2);
      expect(await metric(registry, 'manga_assist_limit_refused_total', 'messages')).toBe(1);
    } finally {
      down.disconnect();
    }
  });
});
