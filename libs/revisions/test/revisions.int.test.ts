// Revisions from a worker reach the gateway instance that holds the connection, through Redis.
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix, freePort, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import { createConnectionRegistry, subscribePushes } from '@manga-assist/connections';
import type { ServerFrame } from '@manga-assist/contracts';
import { publishRevision, subscribeRevisions } from '../src';
import type { RevisionFrame, RevisionSubscription } from '../src';

const subscribed = async (subscription: RevisionSubscription) => {
  await subscription.ready;
  return subscription;
};

/** A stand-in for one gateway instance: the connections it holds and the frames it sent them. */
function gatewayInstance(connections: string[]) {
  const sent: { connectionId: string; frame: RevisionFrame; at: number }[] = [];
  return {
    sent,
    onRevision(connectionId: string, frame: RevisionFrame) {
      if (connections.includes(connectionId)) sent.push({ connectionId, frame, at: performance.now() });
    },
  };
}

describe('revisions over Redis pub/sub', () => {
  const keyPrefix = uniquePrefix('rev');
  const redis = new Redis(testRedisUrl());
  const subscriptions: RevisionSubscription[] = [];

  afterAll(async () => {
    await Promise.all(subscriptions.map((s) => s.close()));
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
  });

  it('delivers a revision through the instance holding the connection, within a second, and only there', async () => {
    const first = gatewayInstance(['conn-a']);
    const second = gatewayInstance(['conn-b']);
    subscriptions.push(await subscribed(subscribeRevisions({ redisUrl: testRedisUrl(), keyPrefix, onRevision: first.onRevision })));
    subscriptions.push(await subscribed(subscribeRevisions({ redisUrl: testRedisUrl(), keyPrefix, onRevision: second.onRevision })));

    const frame: RevisionFrame = { type: 'revision', requestId: 'r-1', text: '詳しくは [redacted phone] まで。' };
    const started = performance.now();
    expect(await publishRevision(redis, keyPrefix, 'conn-b', frame)).toBe(2);
    await waitFor(() => second.sent.length === 1, { timeoutMs: 1000, description: 'revision at the second instance' });
    expect(second.sent[0]).toMatchObject({ connectionId: 'conn-b', frame });
    expect(second.sent[0]!.at - started).toBeLessThan(1000);
    expect(first.sent).toEqual([]);
  });

  it('goes only to the instance that registered the connection, not to legacy listeners', async () => {
    const prefix = uniquePrefix('rev-reg');
    const legacy: string[] = [];
    subscriptions.push(await subscribed(subscribeRevisions({ redisUrl: testRedisUrl(), keyPrefix: prefix, onRevision: (id) => legacy.push(id) })));
    const pushed: { connectionId: string; frame: ServerFrame }[] = [];
    const pushes = subscribePushes({ redisUrl: testRedisUrl(), keyPrefix: prefix, instanceId: 'gw-1', onPush: (connectionId, frame) => pushed.push({ connectionId, frame }) });
    await pushes.ready;
    const registry = createConnectionRegistry({ redis, keyPrefix: prefix, instanceId: 'gw-1' });
    registry.register('conn-registered');
    await registry.heartbeat();

    const frame: RevisionFrame = { type: 'revision', requestId: 'r-2', text: '改訂' };
    expect(await publishRevision(redis, prefix, 'conn-registered', frame)).toBe(1);
    await waitFor(() => pushed.length === 1, { timeoutMs: 1000, description: 'revision through the instance channel' });
    expect(pushed).toEqual([{ connectionId: 'conn-registered', frame }]);
    // A connection no instance registered: the legacy per-connection channel.
    expect(await publishRevision(redis, prefix, 'conn-legacy', frame)).toBe(1);
    await waitFor(() => legacy.length === 1, { timeoutMs: 1000 });
    expect(legacy).toEqual(['conn-legacy']);
    expect(pushed).toHaveLength(1);
    await registry.close();
    await pushes.close();
    await deleteKeysWithPrefix(redis, prefix);
  });

  it('keeps key prefixes apart and ignores messages that are not revision frames', async () => {
    const received: string[] = [];
    const other = uniquePrefix('rev-other');
    subscriptions.push(await subscribed(subscribeRevisions({ redisUrl: testRedisUrl(), keyPrefix: other, onRevision: (id) => received.push(id) })));
    await publishRevision(redis, keyPrefix, 'conn-x', { type: 'revision', requestId: 'r', text: 't' });
    await redis.publish(`${other}revisions:conn-y`, '{"type":"token"}');
    await redis.publish(`${other}revisions:conn-z`, 'not json');
    await publishRevision(redis, other, 'conn-ok', { type: 'revision', requestId: 'r', text: 't' });
    await waitFor(() => received.length > 0, { timeoutMs: 1000 });
    expect(received).toEqual(['conn-ok']);
  });

  it('rejects a frame that is not a revision before publishing it', async () => {
    await expect(publishRevision(redis, keyPrefix, 'c', { type: 'revision', requestId: 'r' } as unknown as RevisionFrame)).rejects.toThrow();
  });

  it('listens again after its Redis connection drops', async () => {
    const received: string[] = [];
    const name = `rev-test-${process.pid}-${Date.now()}`;
    subscriptions.push(await subscribed(subscribeRevisions({ redisUrl: testRedisUrl(), keyPrefix, onRevision: (id) => received.push(id), connectionName: name })));
    const clients = String(await redis.client('LIST'));
    const id = clients.split('\n').find((line) => line.includes(`name=${name}`))?.match(/\bid=(\d+)/)?.[1];
    expect(id).toBeDefined();
    await redis.client('KILL', 'ID', id!);
    await waitFor(
      async () => {
        await publishRevision(redis, keyPrefix, 'after-drop', { type: 'revision', requestId: 'r', text: 't' });
        return received.includes('after-drop');
      },
      { timeoutMs: 5000, intervalMs: 100, description: 'revision after reconnect' },
    );
  });

  it('returns at once while Redis is away, and closes cleanly before it ever subscribed', async () => {
    const started = performance.now();
    const subscription = subscribeRevisions({ redisUrl: `redis://127.0.0.1:${await freePort()}`, keyPrefix, onRevision: () => undefined });
    expect(performance.now() - started).toBeLessThan(50);
    await subscription.close();
    await expect(subscription.ready).rejects.toThrow();
  });
});
