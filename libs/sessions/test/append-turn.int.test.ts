import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { TTL_ATTRIBUTE } from '@manga-assist/aws';
import type { Session } from '../src';
import { japaneseConversation, japaneseTurn } from './japanese-conversation';
import { createFixture, startEngines, stopEngines } from './store-harness';
import type { Engines, Fixture } from './store-harness';

/** What delivery order must not change: everything but the bookkeeping of writes. */
const conversationOf = ({ lastSeq, turns, summary }: Session) => ({ lastSeq, turns, summary });

describe('appendTurn', () => {
  let engines: Engines;
  let fx: Fixture;
  beforeAll(async () => {
    engines = await startEngines();
  });
  afterAll(() => stopEngines(engines));
  beforeEach(async () => {
    fx = await createFixture(engines, 'sessions-append');
  });
  afterEach(() => fx.cleanup());

  it('keeps the last 5 of 20 turns in order, summarizes the rest and stores all 20 rows', async () => {
    for (const turn of japaneseConversation(20)) {
      const { applied } = await fx.store.appendTurn('s-twenty', turn);
      expect(applied).toBe(true);
    }
    const { session } = await fx.store.load('s-twenty');
    expect(session!.turns.map((t) => t.seq)).toEqual([16, 17, 18, 19, 20]);
    expect(session!.turns).toEqual(japaneseConversation(20).slice(15));
    expect(session!.lastSeq).toBe(20);
    expect(session!.version).toBe(20);
    expect(session!.summary).toMatch(/^Earlier \(turns 1–15\): asked about trending \(2×\)/);
    expect(session!.summary).toContain('『進撃の巨人』');
    expect(session!.summary).toContain('budget ¥800');
    expect(Array.from(session!.summary).length).toBeLessThanOrEqual(600);
    expect((await fx.turnRows('s-twenty')).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('gives every item it writes an expiry in the attribute DynamoDB TTL deletes by', async () => {
    const before = Math.floor(Date.now() / 1000);
    for (const turn of japaneseConversation(3)) await fx.store.appendTurn('s-expiring', turn, { userId: 'u-expiring' });
    await fx.store.updatePreferences('s-expiring', { maxPriceJpy: 800 }, { userId: 'u-expiring' });
    for (const table of [fx.tables.sessions, fx.tables.turns]) {
      const { Items = [] } = await engines.dynamo.send(new ScanCommand({ TableName: table }));
      expect(Items.length).toBeGreaterThan(0);
      for (const item of Items) {
        // Unix seconds, in the future: NaN (no such attribute) or milliseconds would fail here.
        const expiry = Number(item[TTL_ATTRIBUTE]?.N);
        expect({ table, expiry }).toEqual({ table, expiry: expect.any(Number) });
        expect(expiry).toBeGreaterThan(before + 3600);
        expect(expiry).toBeLessThan(before + 400 * 86_400);
      }
    }
  });

  it('ends with the same session whatever the order and duplication of deliveries', async () => {
    const turns = japaneseConversation(12);
    for (const turn of turns) await fx.store.appendTurn('s-in-order', turn);
    const expected = conversationOf((await fx.store.load('s-in-order')).session!);

    const orders = {
      'shuffled with duplicates': [1, 2, 4, 3, 3, 5, 2, 8, 7, 6, 12, 1, 9, 11, 10, 10, 12],
      // Turn 3 arrives after turns 4-12 pushed 1-7 into the summary: a rebuild from the rows.
      'one very late turn': [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 3, 3],
      reversed: [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
    };
    for (const [name, order] of Object.entries(orders)) {
      const sessionId = `s-${name.replace(/\W+/g, '-')}`;
      const applied: number[] = [];
      for (const seq of order) {
        const result = await fx.store.appendTurn(sessionId, turns[seq - 1]!);
        if (result.applied) applied.push(seq);
      }
      const { session } = await fx.store.load(sessionId);
      expect({ name, ...conversationOf(session!) }).toEqual({ name, ...expected });
      // Each seq applied exactly once; every duplicate was a no-op.
      expect(applied.sort((a, b) => a - b)).toEqual(turns.map((t) => t.seq));
      expect(session!.version).toBe(12);
      expect((await fx.turnRows(sessionId)).sort((a, b) => a - b)).toEqual(turns.map((t) => t.seq));
    }
    expect(fx.log.messages()).toContain('rebuilt session summary after a late turn');
  });

  it('shows turns beyond a gap at once, holding lastSeq until the gap closes', async () => {
    for (const seq of [1, 2, 5]) await fx.store.appendTurn('s-gap', japaneseTurn(seq));
    let { session } = await fx.store.load('s-gap');
    expect(session!.turns.map((t) => t.seq)).toEqual([1, 2, 5]);
    expect(session!.lastSeq).toBe(2);

    // At or below lastSeq nothing is written at all, not even a turn row.
    const duplicate = await fx.store.appendTurn('s-gap', { ...japaneseTurn(2), user: 'changed' });
    expect(duplicate).toMatchObject({ applied: false, session: { version: 3 } });

    for (const seq of [4, 3]) await fx.store.appendTurn('s-gap', japaneseTurn(seq));
    ({ session } = await fx.store.load('s-gap'));
    expect(session!.turns.map((t) => t.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(session!.turns[1]!.user).toBe(japaneseTurn(2).user);
    expect(session!.lastSeq).toBe(5);
  });

  it('applies two concurrent turns of one session: both land, version goes up twice', async () => {
    for (const turn of japaneseConversation(3)) await fx.store.appendTurn('s-race', turn);
    const [a, b] = await Promise.all([
      fx.store.appendTurn('s-race', japaneseTurn(4)),
      fx.store.appendTurn('s-race', japaneseTurn(5)),
    ]);
    expect([a.applied, b.applied]).toEqual([true, true]);
    const { session } = await fx.store.load('s-race');
    expect(session!.version).toBe(5);
    expect(session!.turns.map((t) => t.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(session!.lastSeq).toBe(5);
  });

  // Far more writers at once than one chat session sees; dynalite shares this process's CPU, hence the timeout.
  it('survives a burst of concurrent writers of every kind without losing an update', async () => {
    const turns = japaneseConversation(8);
    const results = await Promise.all([
      ...turns.map((turn) => fx.store.appendTurn('s-burst', turn, { userId: 'u-burst' })),
      fx.store.appendTurn('s-burst', turns[3]!),
      fx.store.recordInteraction('s-burst', ['p-1']),
      fx.store.updatePreferences('s-burst', { language: 'ja' }),
    ]);
    expect(results.slice(0, 9).filter((r) => 'applied' in r && r.applied)).toHaveLength(8);
    const { session } = await fx.store.load('s-burst');
    expect(session!.version).toBe(10);
    expect(session!.lastSeq).toBe(8);
    expect(session!.turns.map((t) => t.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(session!.recentTitleIds).toEqual(['p-1']);
    expect(session!.preferences).toEqual({ language: 'ja' });
    expect(session!.userId).toBe('u-burst');

    for (const turn of turns) await fx.store.appendTurn('s-burst-ref', turn);
    expect(conversationOf(session!)).toEqual(conversationOf((await fx.store.load('s-burst-ref')).session!));
  }, 20_000);

  it('refuses a turn that does not match the contract, and a session of another user', async () => {
    await expect(fx.store.appendTurn('s-bad', { ...japaneseTurn(1), seq: 0 })).rejects.toThrow();
    await expect(fx.store.appendTurn('bad#id', japaneseTurn(1))).rejects.toThrow();
    await fx.store.appendTurn('s-owned', japaneseTurn(1), { userId: 'u-1' });
    await expect(fx.store.appendTurn('s-owned', japaneseTurn(2), { userId: 'u-2' })).rejects.toThrow(
      'belongs to another user',
    );
  });
});
