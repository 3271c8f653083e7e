import { createDynamoClient } from '@manga-assist/aws';
import { freePort } from '@manga-assist/testing';
import { japaneseTurn } from './japanese-conversation';
import { createFixture, startEngines, stopEngines } from './store-harness';
import type { Engines, Fixture } from './store-harness';

describe('loadContext', () => {
  let engines: Engines;
  let fx: Fixture;
  beforeAll(async () => {
    engines = await startEngines();
  });
  afterAll(() => stopEngines(engines));
  beforeEach(async () => {
    fx = await createFixture(engines, 'sessions-context');
  });
  afterEach(() => fx.cleanup());

  it('reads the session and the user\'s parts together, with a timing for each', async () => {
    await fx.store.appendTurn('s-ctx', japaneseTurn(1), { userId: 'u-ctx' });
    await fx.store.updatePreferences('s-ctx', { maxPriceJpy: 600 });
    await fx.store.recordInteraction('s-ctx', ['p-9']);
    await fx.store.updatePreferences('s-other', { language: 'en' }, { userId: 'u-ctx' });

    const context = await fx.store.loadContext('s-ctx', 'u-ctx');
    expect(context).toMatchObject({
      sessionId: 's-ctx',
      userId: 'u-ctx',
      source: 'redis',
      // The user's language (set in another session) under this session's own price limit.
      preferences: { maxPriceJpy: 600, language: 'en' },
      recentTitleIds: ['p-9'],
      errors: [],
    });
    expect(context.session!.turns).toHaveLength(1);
    for (const part of ['session', 'preferences', 'recentInteractions', 'total'] as const) {
      expect(context.timings[part]).toBeGreaterThan(0);
    }
    // In parallel: the whole takes about as long as the slowest part, not the sum.
    expect(context.timings.total).toBeLessThan(
      context.timings.session + context.timings.preferences + context.timings.recentInteractions,
    );

    const anonymous = await fx.store.loadContext('s-ctx');
    expect(anonymous.timings.preferences).toBe(0);
    expect(anonymous.preferences).toEqual({ maxPriceJpy: 600 });
  });

  it('returns what it has when a part fails', async () => {
    await fx.store.appendTurn('s-partial', japaneseTurn(1), { userId: 'u-partial' });
    // DynamoDB unreachable: the session still comes from Redis, the user's parts (not cached) fail.
    const deadDynamo = createDynamoClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${await freePort()}`,
      maxAttempts: 1,
    });
    try {
      const context = await fx.storeWith({ dynamo: deadDynamo }).loadContext('s-partial', 'u-partial');
      expect(context.source).toBe('redis');
      expect(context.session!.lastSeq).toBe(1);
      expect(context.errors.map((e) => e.part)).toEqual(['preferences', 'recentInteractions']);
      expect(context.preferences).toEqual({});
    } finally {
      deadDynamo.destroy();
    }
  });

  it('remembers that a user has no preferences or recent titles, until they set some', async () => {
    expect(await fx.store.loadContext('s-first', 'u-blank')).toMatchObject({ preferences: {}, recentTitleIds: [], errors: [] });
    // With DynamoDB unreachable the user's empty parts still come from Redis: nothing to read there again.
    const deadDynamo = createDynamoClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${await freePort()}`, maxAttempts: 1 });
    try {
      const again = await fx.storeWith({ dynamo: deadDynamo }).loadContext('s-second', 'u-blank', { newSession: true });
      expect(again).toMatchObject({ preferences: {}, recentTitleIds: [], errors: [] });
    } finally {
      deadDynamo.destroy();
    }
    // A write replaces the remembered absence.
    await fx.store.updatePreferences('s-third', { maxPriceJpy: 700 }, { userId: 'u-blank' });
    await fx.store.recordInteraction('s-third', ['p-3'], { userId: 'u-blank' });
    expect(await fx.store.loadContext('s-fourth', 'u-blank', { newSession: true })).toMatchObject({ preferences: { maxPriceJpy: 700 }, recentTitleIds: ['p-3'] });
  });
});
