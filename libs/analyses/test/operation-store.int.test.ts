// The operations store on dynalite and the per-operation channel on the machine's Redis: the state
// only moves forward, a result is stored once and never over a cancel, expired operations are gone.
import { Redis } from 'ioredis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, ensureTables, tableDefinitions } from '@manga-assist/aws';
import type { AnalysisEvent, AnalysisResult } from '@manga-assist/contracts';
import { startDynalite, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import type { LocalEngine } from '@manga-assist/testing';
import { createAnalysisSubscriber, createOperationStore, operationIdFor, publishAnalysisEvent } from '../src';
import type { OperationStore } from '../src';

const RESULT: AnalysisResult = { text: '『進撃の巨人』の分析です。', model: 'sonnet', stopReason: 'end_turn', products: [] };

describe('operations', () => {
  let engine: LocalEngine;
  let dynamo: DynamoDBClient;
  let tableName: string;
  let clock = Date.now();
  let store: OperationStore;

  beforeAll(async () => {
    engine = await startDynalite();
    dynamo = createDynamoClient({ region: 'ap-northeast-1', endpoint: engine.endpoint });
    const tables = tableDefinitions('ops-');
    await ensureTables(dynamo, [tables.operations]);
    tableName = tables.operations.TableName;
    store = createOperationStore({ dynamo, tableName, now: () => clock });
  });
  afterAll(async () => {
    dynamo?.destroy();
    await engine?.stop();
  });

  const create = (id = operationIdFor('alice', undefined), userId = 'alice') =>
    store.create({ id, userId, requestHash: 'h1', kind: 'compare', titles: ['進撃の巨人', 'ワンピース'] });

  it('moves forward only: NotStarted, Running, Succeeded, and stores the result once', async () => {
    const { stored, created } = await create();
    const id = stored.operation.id;
    expect(created).toBe(true);
    expect(stored).toMatchObject({ userId: 'alice', operation: { status: 'NotStarted', attempts: 0, titles: ['進撃の巨人', 'ワンピース'] } });
    expect(await store.start(id, 1)).toMatchObject({ status: 'Running', attempts: 1 });
    expect(await store.progress(id, 1, { percent: 40, stage: 'writing', tokens: 90 })).toBe(true);
    // A lapsed earlier attempt may not move the bar of the one running now.
    expect(await store.start(id, 2)).toMatchObject({ attempts: 2 });
    expect(await store.progress(id, 1, { percent: 90, stage: 'writing', tokens: 900 })).toBe(false);
    expect((await store.get(id))!.operation.progress.percent).toBe(5);

    expect(await store.finish(id, { status: 'Succeeded', result: RESULT })).toMatchObject({ status: 'Succeeded', result: RESULT, progress: { percent: 100 } });
    // A second worker that ran it too stores nothing, and nothing starts it again.
    expect(await store.finish(id, { status: 'Succeeded', result: { ...RESULT, text: 'other' } })).toBeUndefined();
    expect(await store.start(id, 3)).toBeUndefined();
    expect(await store.cancel(id)).toMatchObject({ canceled: false, operation: { status: 'Succeeded' } });
    expect((await store.get(id))!.operation.result!.text).toBe(RESULT.text);
  });

  it('cancels a waiting or running operation, after which nothing is stored', async () => {
    const waiting = (await create()).stored.operation.id;
    expect(await store.cancel(waiting)).toMatchObject({ canceled: true, operation: { status: 'Canceled' } });
    expect(await store.start(waiting, 1)).toBeUndefined();

    const running = (await create()).stored.operation.id;
    await store.start(running, 1);
    expect((await store.cancel(running)).canceled).toBe(true);
    expect(await store.progress(running, 1, { percent: 50, stage: 'writing', tokens: 100 })).toBe(false);
    expect(await store.finish(running, { status: 'Succeeded', result: RESULT })).toBeUndefined();
    expect(await store.finish(running, { status: 'Failed', error: { code: 'timeout', message: 'late' } })).toBeUndefined();
    expect((await store.get(running))!.operation).toMatchObject({ status: 'Canceled' });
    expect((await store.get(running))!.operation.result).toBeUndefined();
  });

  it('returns the stored operation for a second create under the same id', async () => {
    const id = operationIdFor('alice', 'key-1');
    const first = await create(id);
    await store.start(id, 1);
    const again = await create(id);
    expect(again.created).toBe(false);
    expect(again.stored.operation).toMatchObject({ id, status: 'Running', createdAt: first.stored.operation.createdAt });
  });

  it('treats an operation past its 24 hours as gone, and lets its id be used again', async () => {
    const { stored } = await create();
    const id = stored.operation.id;
    expect(Date.parse(stored.operation.expiresAt) - clock).toBeGreaterThan(24 * 3600 * 1000 - 1000);
    const saved = clock;
    clock += 24 * 3600 * 1000 + 1000;
    try {
      expect(await store.get(id)).toBeUndefined();
      expect(await store.start(id, 1)).toBeUndefined();
      expect((await store.cancel(id)).operation).toBeUndefined();
      expect((await create(id)).created).toBe(true);
    } finally {
      clock = saved;
    }
  });
});

describe('operation channels', () => {
  it('deliver an operation’s events to those watching it, and stop when they unwatch', async () => {
    const keyPrefix = `${uniquePrefix('an')}:`;
    const subscriber = createAnalysisSubscriber({ redisUrl: testRedisUrl(), keyPrefix });
    const publisher = new Redis(testRedisUrl());
    try {
      const id = operationIdFor('alice', undefined);
      const other = operationIdFor('alice', undefined);
      const got: AnalysisEvent[] = [];
      const unwatch = await subscriber.watch(id, (e) => got.push(e));
      const token = (operationId: string, text: string): AnalysisEvent => ({ type: 'token', operationId, attempt: 1, text });
      expect(await publishAnalysisEvent(publisher, keyPrefix, token(id, 'a'))).toBe(1);
      expect(await publishAnalysisEvent(publisher, keyPrefix, token(other, 'x'))).toBe(0);
      await waitFor(() => got.length === 1, { timeoutMs: 2000 });
      await unwatch();
      expect(await publishAnalysisEvent(publisher, keyPrefix, token(id, 'b'))).toBe(0);
      expect(got).toEqual([token(id, 'a')]);
    } finally {
      publisher.disconnect();
      await subscriber.close();
    }
  });
});
