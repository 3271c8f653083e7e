import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createRedisConnection } from '@manga-assist/redis';
import { createTestLogger, freePort } from '@manga-assist/testing';
import { gunzipSync } from 'node:zlib';
import { cacheFrameEncoding, unframeCacheValue } from '../src';
import { japaneseConversation, japaneseTurn } from './japanese-conversation';
import { createFixture, startEngines, stopEngines } from './store-harness';
import type { Engines, Fixture } from './store-harness';

describe('load', () => {
  let engines: Engines;
  let fx: Fixture;
  beforeAll(async () => {
    engines = await startEngines();
  });
  afterAll(() => stopEngines(engines));
  beforeEach(async () => {
    fx = await createFixture(engines, 'sessions-load');
  });
  afterEach(() => fx.cleanup());

  const cacheKey = (id: string): string => `${fx.keyPrefix}session:${id}`;
  const cached = async (id: string) => {
    const frame = await engines.connection.redis.getBuffer(cacheKey(id));
    return frame === null ? null : { encoding: cacheFrameEncoding(frame), bytes: frame.length, ...unframeCacheValue(frame) };
  };
  const storedItem = async (id: string) =>
    (await engines.dynamo.send(new GetItemCommand({ TableName: fx.tables.sessions, Key: { sessionId: { S: id } } }))).Item;

  it('reads through: DynamoDB first, then Redis; a write replaces the cached copy', async () => {
    for (const turn of japaneseConversation(2)) await fx.store.appendTurn('s-read', turn);
    await engines.connection.redis.del(cacheKey('s-read'));

    const first = await fx.store.load('s-read');
    expect(first.source).toBe('dynamodb');
    expect((await engines.connection.redis.ttl(cacheKey('s-read'))) > 290).toBe(true);
    const second = await fx.store.load('s-read');
    expect(second).toEqual({ source: 'redis', session: first.session });

    const { session } = await fx.store.appendTurn('s-read', japaneseTurn(3));
    expect(await cached('s-read')).toMatchObject({ version: 3, value: session });
    expect(await fx.store.load('s-read')).toEqual({ source: 'redis', session });
    expect(session.turns.map((t) => t.seq)).toEqual([1, 2, 3]);
  });

  it('never puts an older version back over a newer cached one', async () => {
    await fx.store.appendTurn('s-order', japaneseTurn(1));
    await engines.connection.redis.del(cacheKey('s-order'));
    const stale = fx.storeWith({}); // a second replica, reading while the first writes
    const [loaded] = await Promise.all([stale.load('s-order'), fx.store.appendTurn('s-order', japaneseTurn(2))]);
    expect([1, 2]).toContain(loaded.session!.version);
    expect((await cached('s-order'))!.version).toBe(2);
  });

  it('answers none for an unknown session and for one whose ttl has passed', async () => {
    expect(await fx.store.load('s-unknown')).toEqual({ session: null, source: 'none' });

    const start = Date.now();
    const writer = fx.storeWith({ now: () => start, sessionTtlSeconds: 60 });
    await writer.appendTurn('s-expired', japaneseTurn(1));
    const later = fx.storeWith({ now: () => start + 61_000, sessionTtlSeconds: 60 });
    // Both the cached copy and the item (which dynalite never deletes) are past their ttl.
    expect(await later.load('s-expired')).toEqual({ session: null, source: 'none' });
    await engines.connection.redis.del(cacheKey('s-expired'));
    expect(await later.load('s-expired')).toEqual({ session: null, source: 'none' });
    expect(await storedItem('s-expired')).toBeDefined();

    // Writing to an expired session starts a new one, turn rows included.
    const { applied, session } = await later.appendTurn('s-expired', japaneseTurn(1));
    expect(applied).toBe(true);
    expect(session).toMatchObject({ version: 2, lastSeq: 1 });
    expect(session.ttl).toBe(Math.floor((start + 61_000) / 1000) + 60);
  });

  it('falls back to DynamoDB while Redis is down, without throwing', async () => {
    for (const turn of japaneseConversation(3)) await fx.store.appendTurn('s-down', turn);
    const expected = (await fx.store.load('s-down')).session;

    const logger = createTestLogger();
    const down = createRedisConnection({ url: `redis://127.0.0.1:${await freePort()}`, name: 'down', logger });
    try {
      const store = fx.storeWith({ redis: down.redis, log: logger });
      expect(await store.load('s-down')).toEqual({ source: 'dynamodb', session: expected });
      const { applied } = await store.appendTurn('s-down', japaneseTurn(4));
      expect(applied).toBe(true);
      expect((await store.load('s-down')).session!.lastSeq).toBe(4);
      expect(logger.messages()).toContain('session cache unavailable');
      // The healthy replica still has version 3 cached: the outage left it stale until its TTL.
      expect((await cached('s-down'))!.version).toBe(3);
    } finally {
      await down.close();
    }
  });

  it('stores a context over 4 KB gzip\'d and loads it back identical', async () => {
    const turns = japaneseConversation(20);
    for (const turn of turns) await fx.store.appendTurn('s-large', turn);
    const item = (await storedItem('s-large'))!;
    expect(item.ctxEncoding).toEqual({ S: 'gzip' });
    const json = gunzipSync(item.ctx!.B!);
    expect(json.length).toBeGreaterThan(4096);
    expect(item.ctx!.B!.length).toBeLessThan(json.length / 2);

    const frame = await cached('s-large');
    expect(frame!.encoding).toBe('gzip');
    expect(frame!.bytes).toBeLessThan(4096);

    const fromRedis = await fx.store.load('s-large');
    await engines.connection.redis.del(cacheKey('s-large'));
    const fromDynamo = await fx.store.load('s-large');
    expect([fromRedis.source, fromDynamo.source]).toEqual(['redis', 'dynamodb']);
    expect(fromDynamo.session).toEqual(fromRedis.session);
    expect(fromDynamo.session!.turns).toEqual(turns.slice(15));
    expect(Buffer.byteLength(JSON.stringify(fromDynamo.session))).toBeGreaterThan(4096);

    // A short session stays plain JSON in both places.
    await fx.store.appendTurn('s-small', { ...japaneseTurn(1), assistant: 'はい。' });
    expect((await storedItem('s-small'))!.ctxEncoding).toEqual({ S: 'json' });
    expect((await cached('s-small'))!.encoding).toBe('json');
  });

  it('keeps preferences and recent titles per session and per user', async () => {
    await fx.store.appendTurn('s-prefs', japaneseTurn(1), { userId: 'u-prefs' });
    await fx.store.updatePreferences('s-prefs', { demographics: ['shonen'], maxPriceJpy: 800 });
    const cleared = await fx.store.updatePreferences('s-prefs', { maxPriceJpy: null, language: 'ja' });
    expect(cleared.preferences).toEqual({ demographics: ['shonen'], language: 'ja' });
    // The same patch again changes nothing, so nothing is written.
    expect((await fx.store.updatePreferences('s-prefs', { language: 'ja' })).version).toBe(cleared.version);

    await fx.store.recordInteraction('s-prefs', ['p-1', 'p-2']);
    const session = await fx.store.recordInteraction('s-prefs', ['p-3', 'p-1']);
    expect(session.recentTitleIds).toEqual(['p-3', 'p-1', 'p-2']);
    const many = await fx.store.recordInteraction(
      's-prefs',
      Array.from({ length: 30 }, (_, i) => `q-${i}`),
    );
    expect(many.recentTitleIds).toHaveLength(20);
    expect(many.recentTitleIds[0]).toBe('q-0');

    // A new session of the same user starts with what the user carried over.
    const context = await fx.store.loadContext('s-next', 'u-prefs');
    expect(context).toMatchObject({
      session: null,
      source: 'none',
      preferences: { demographics: ['shonen'], language: 'ja' },
      errors: [],
    });
    expect(context.recentTitleIds).toEqual(many.recentTitleIds);
  });
});
