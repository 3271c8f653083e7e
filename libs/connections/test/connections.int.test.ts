// Pushes to a connection reach the one gateway instance holding it, through the registry in Redis;
// an instance that dies without a word is swept and pushes to its connections find no one.
import { Redis } from 'ioredis';
import type { ServerFrame } from '@manga-assist/contracts';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix, waitFor, watchRedisCommands } from '@manga-assist/testing';
import { createConnectionRegistry, pushChannel, pushTo, subscribePushes } from '../src';
import type { ConnectionRegistry, PushSubscription } from '../src';

/** A stand-in for one gateway instance: its registry, its push channel, and what it delivered. */
async function instance(keyPrefix: string, instanceId: string, options: { ttlMs?: number; heartbeatMs?: number } = {}) {
  const redis = new Redis(testRedisUrl());
  const delivered: { connectionId: string; frame: ServerFrame }[] = [];
  const registry = createConnectionRegistry({ redis, keyPrefix, instanceId, ttlMs: options.ttlMs ?? 1500, heartbeatMs: options.heartbeatMs ?? 200 });
  const pushes = subscribePushes({ redisUrl: testRedisUrl(), keyPrefix, instanceId, onPush: (connectionId, frame) => delivered.push({ connectionId, frame }) });
  await pushes.ready;
  return { redis, registry, pushes, delivered };
}

describe('connection registry and pushes', () => {
  const keyPrefix = uniquePrefix('conn');
  const redis = new Redis(testRedisUrl());
  const open: { redis: Redis; registry: ConnectionRegistry; pushes: PushSubscription }[] = [];
  const track = <T extends (typeof open)[number]>(i: T) => (open.push(i), i);
  const frame: ServerFrame = { type: 'revision', requestId: 'r-1', text: '詳しくは [redacted phone] まで。' };

  afterAll(async () => {
    for (const i of open) {
      await i.registry.close().catch(() => undefined);
      await i.pushes.close();
      i.redis.disconnect();
    }
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
  });

  it('delivers a push only at the instance holding the connection, and nowhere once it closed', async () => {
    const a = track(await instance(keyPrefix, 'gw-a'));
    const b = track(await instance(keyPrefix, 'gw-b'));
    a.registry.start();
    b.registry.start();
    a.registry.register('conn-1');
    b.registry.register('conn-2');
    await waitFor(async () => (await a.registry.stats()).connections === 2, { timeoutMs: 2000, description: 'both connections registered' });

    expect(await pushTo(redis, keyPrefix, 'conn-2', frame)).toEqual({ instanceId: 'gw-b', listeners: 1 });
    await waitFor(() => b.delivered.length === 1, { timeoutMs: 1000, description: 'push at gw-b' });
    expect(b.delivered).toEqual([{ connectionId: 'conn-2', frame }]);
    expect(a.delivered).toEqual([]);
    expect(await a.registry.stats()).toEqual({ instances: 2, connections: 2 });

    b.registry.unregister('conn-2');
    await waitFor(async () => (await pushTo(redis, keyPrefix, 'conn-2', frame)).instanceId === null, { timeoutMs: 1000, description: 'conn-2 gone' });
    await new Promise((r) => setTimeout(r, 100));
    expect(b.delivered).toHaveLength(1);
  });

  it('keeps entries alive past their TTL while the instance beats, and sweeps an instance that died', async () => {
    const prefix = `${keyPrefix}sweep:`;
    const live = track(await instance(prefix, 'gw-live', { ttlMs: 600, heartbeatMs: 100 }));
    // An instance that beats once and then goes silent, as a SIGKILLed process does: nothing is
    // unregistered. Its entry is given a long life so that only the sweep (not the TTL) can remove it.
    const dying = track(await instance(prefix, 'gw-dying', { ttlMs: 600 }));
    dying.registry.register('c-dying');
    await dying.registry.heartbeat();
    await redis.pexpire(`${prefix}conn:c-dying`, 60_000);
    live.registry.start();
    live.registry.register('c-live');
    expect((await pushTo(redis, prefix, 'c-dying', frame)).instanceId).toBe('gw-dying');

    await waitFor(async () => (await pushTo(redis, prefix, 'c-dying', frame)).instanceId === null, { timeoutMs: 3000, intervalMs: 50, description: 'the dead instance swept' });
    expect(await redis.exists(`${prefix}instance:gw-dying:conns`)).toBe(0);
    // Three TTLs on, the beating instance's connection still resolves to it.
    await new Promise((r) => setTimeout(r, 1800));
    expect((await pushTo(redis, prefix, 'c-live', frame)).instanceId).toBe('gw-live');
    expect(await live.registry.stats()).toEqual({ instances: 1, connections: 1 });
  });

  it('ignores what is not a push on its channel, and still delivers the next one', async () => {
    const prefix = `${keyPrefix}bad:`;
    const a = track(await instance(prefix, 'gw-a'));
    a.registry.register('conn-ok');
    await redis.publish(pushChannel(prefix, 'gw-a'), 'not json');
    await redis.publish(pushChannel(prefix, 'gw-a'), JSON.stringify({ connectionId: 'conn-ok', frame: { type: 'nonsense' } }));
    await waitFor(async () => (await pushTo(redis, prefix, 'conn-ok', frame)).listeners === 1, { timeoutMs: 1000 });
    await waitFor(() => a.delivered.length === 1, { timeoutMs: 1000 });
    expect(a.delivered).toEqual([{ connectionId: 'conn-ok', frame }]);
  });

  it('refuses to push a frame that is not a server frame', async () => {
    await expect(pushTo(redis, keyPrefix, 'conn-1', { type: 'revision', requestId: 'r' } as unknown as ServerFrame)).rejects.toThrow();
  });

  it('beats with a few commands whatever the number of connections, and writes back entries Redis lost', async () => {
    const prefix = `${keyPrefix}idle:`;
    const a = track(await instance(prefix, 'gw-a'));
    for (let i = 0; i < 2000; i++) a.registry.register(`idle-${i}`, Date.now() + 60_000);
    await a.registry.heartbeat();
    await waitFor(async () => (await a.registry.stats()).connections === 2000, { timeoutMs: 5000, description: '2000 registered' });

    // Every command this instance's own Redis connection sends during three heartbeats.
    const watch = await watchRedisCommands(testRedisUrl());
    let sent: string[];
    try {
      for (let beat = 0; beat < 3; beat++) await a.registry.heartbeat();
      await new Promise((r) => setTimeout(r, 50));
      sent = watch.sentBy(a.redis);
    } finally {
      watch.stop();
    }
    expect(sent).toEqual(['pexpire', 'scard', 'eval', 'pexpire', 'scard', 'eval', 'pexpire', 'scard', 'eval']);

    // Redis lost them (a restart without persistence): the next heartbeat writes them again.
    await deleteKeysWithPrefix(redis, prefix);
    expect((await pushTo(redis, prefix, 'idle-1999', frame)).instanceId).toBeNull();
    await a.registry.heartbeat();
    expect((await pushTo(redis, prefix, 'idle-1999', frame)).instanceId).toBe('gw-a');
    expect(await a.registry.stats()).toEqual({ instances: 1, connections: 2000 });
    // Each entry still ends with its token.
    const ttl = await redis.pttl(`${prefix}conn:idle-0`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('removes its entries on close', async () => {
    const prefix = `${keyPrefix}close:`;
    const a = track(await instance(prefix, 'gw-a'));
    a.registry.start();
    a.registry.register('c1');
    a.registry.register('c2');
    await waitFor(async () => (await a.registry.stats()).connections === 2, { timeoutMs: 1000 });
    await a.registry.close();
    expect(await a.registry.stats()).toEqual({ instances: 0, connections: 0 });
    expect((await pushTo(redis, prefix, 'c1', frame)).instanceId).toBeNull();
  });
});
