// Batched PutRecords against kinesalite, and partial failures through the real SDK against a local
// endpoint that answers the way Kinesis does when it refuses some records of a call.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { AnalyticsEvent } from '@manga-assist/contracts';
import { createKinesisClient, ensureStreams } from '@manga-assist/aws';
import { deleteKeysWithPrefix, startKinesalite, startTestServer, testRedisUrl, uniquePrefix } from '@manga-assist/testing';
import type { LocalEngine, TestServer } from '@manga-assist/testing';
import { RecordTooLargeError, createAnalyticsSink, createRecordBatcher, readStreamRecords } from '../src';
import type { BatchStats } from '../src';

jest.setTimeout(60_000);

const region = 'ap-northeast-1';
const text = (data: Uint8Array) => Buffer.from(data).toString('utf8');

describe('record batcher against kinesalite', () => {
  let kinesalite: LocalEngine;
  const streamName = 'batcher-test';
  let kinesis: ReturnType<typeof createKinesisClient>;

  beforeAll(async () => {
    kinesalite = await startKinesalite();
    kinesis = createKinesisClient({ region, endpoint: kinesalite.endpoint });
    await ensureStreams(kinesis, [{ StreamName: streamName, ShardCount: 2 }]);
  });
  afterAll(async () => {
    kinesis?.destroy();
    await kinesalite?.stop();
  });

  it('gathers records from concurrent callers into calls of at most 500, each stored once', async () => {
    const batches: BatchStats[] = [];
    const batcher = createRecordBatcher({ kinesis, streamName, lingerMs: 20, onBatch: (b) => batches.push(b) });
    const ids = Array.from({ length: 1200 }, (_, i) => `event-${i}`);
    const stored = await Promise.all(ids.map((id, i) => batcher.put({ partitionKey: `session-${i % 37}`, data: Buffer.from(id) })));
    await batcher.close();

    expect(stored.every((s) => s.sequenceNumber.length > 0)).toBe(true);
    expect(batches.every((b) => b.records <= 500 && b.failed === 0)).toBe(true);
    expect(batches.reduce((n, b) => n + b.records, 0)).toBe(1200);
    // Far fewer calls than records.
    expect(batches.length).toBeLessThanOrEqual(6);
    const records = await readStreamRecords({ kinesis, streamName });
    expect(records.map((r) => text(r.data)).sort()).toEqual([...ids].sort());
  });

  it('splits a batch at the byte limit', async () => {
    const batches: BatchStats[] = [];
    const batcher = createRecordBatcher({ kinesis, streamName, maxBytes: 10_000, onBatch: (b) => batches.push(b) });
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.put({ partitionKey: 'p', data: Buffer.alloc(3000, i) })));
    await batcher.close();
    expect(batches.map((b) => b.records)).toEqual([3, 3, 3, 1]);
  });

  it('rejects a record over 1 MB at once, without sending it', async () => {
    const batcher = createRecordBatcher({ kinesis, streamName });
    await expect(batcher.put({ partitionKey: 'p', data: Buffer.alloc(1024 * 1024) })).rejects.toBeInstanceOf(RecordTooLargeError);
    await batcher.close();
  });
});

describe('record batcher after a partial failure', () => {
  let server: TestServer;
  let refuse: (index: number, call: number) => boolean = () => false;

  beforeAll(async () => {
    server = await startTestServer((req, res) => {
      const call = server.requests.length;
      const body = JSON.parse(req.body) as { Records: { Data: string }[] };
      const records = body.Records.map((_, i) =>
        refuse(i, call)
          ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000000' }
          : { ShardId: 'shardId-000000000000', SequenceNumber: `${call}${String(i).padStart(5, '0')}` },
      );
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedRecordCount: records.filter((r) => 'ErrorCode' in r).length, Records: records }));
    });
  });
  afterAll(() => server?.close());

  const sentData = (call: number) =>
    (JSON.parse(server.requests[call]!.body) as { Records: { Data: string }[] }).Records.map((r) => Buffer.from(r.Data, 'base64').toString('utf8'));

  it('sends again only the records the stream refused, and settles each caller with its own record', async () => {
    server.requests.length = 0;
    refuse = (i, call) => call === 1 && i % 2 === 1;
    const kinesis = createKinesisClient({ region, endpoint: server.url, maxAttempts: 1 });
    const batcher = createRecordBatcher({ kinesis, streamName: 's', retryBaseMs: 5 });
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((d) => batcher.put({ partitionKey: 'p', data: Buffer.from(d) })));
    await batcher.close();
    kinesis.destroy();

    expect(server.requests).toHaveLength(2);
    expect(sentData(0)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(sentData(1)).toEqual(['b', 'd']);
    expect(results.map((r) => r.sequenceNumber.slice(0, 1))).toEqual(['1', '2', '1', '2', '1']);
  });

  it('fails only the record that stays refused, after its attempts', async () => {
    server.requests.length = 0;
    refuse = (i, call) => (call === 1 ? i === 1 : i === 0);
    const kinesis = createKinesisClient({ region, endpoint: server.url, maxAttempts: 1 });
    const batcher = createRecordBatcher({ kinesis, streamName: 's', retryBaseMs: 5, maxAttempts: 3 });
    const outcomes = await Promise.allSettled(['ok-1', 'stuck', 'ok-2'].map((d) => batcher.put({ partitionKey: 'p', data: Buffer.from(d) })));
    await batcher.close();
    kinesis.destroy();

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/ProvisionedThroughputExceededException/);
    expect(server.requests).toHaveLength(3);
    expect(sentData(1)).toEqual(['stuck']);
    expect(sentData(2)).toEqual(['stuck']);
  });
});

describe('analytics sink', () => {
  let kinesalite: LocalEngine;
  const streamName = 'sink-test';
  const keyPrefix = uniquePrefix('analytics');
  const redis = new Redis(testRedisUrl());

  beforeAll(async () => {
    kinesalite = await startKinesalite();
  });
  afterAll(async () => {
    await kinesalite?.stop();
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
  });

  it('stores an event once, however often its job runs, partitioned by session', async () => {
    const kinesis = createKinesisClient({ region, endpoint: kinesalite.endpoint });
    await ensureStreams(kinesis, [{ StreamName: streamName, ShardCount: 1 }]);
    const batcher = createRecordBatcher({ kinesis, streamName });
    const sink = createAnalyticsSink({ batcher, redis, keyPrefix });
    const event: AnalyticsEvent = {
      eventId: randomBytes(16).toString('hex'),
      type: 'chat_answered',
      sessionId: 'session-42',
      intent: 'trending',
      model: 'haiku',
      cached: false,
      titleIds: [],
      timings: { e2e: 812 },
      degraded: [],
      at: new Date().toISOString(),
    };
    expect(await sink.record(event)).toBe('stored');
    expect(await sink.record(event)).toBe('already_stored');
    await batcher.close();
    const records = await readStreamRecords({ kinesis, streamName });
    kinesis.destroy();
    expect(records).toHaveLength(1);
    expect(records[0]!.partitionKey).toBe('session-42');
    expect(JSON.parse(text(records[0]!.data))).toEqual(event);
  });
});
