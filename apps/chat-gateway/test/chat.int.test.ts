// The chat critical path as a user of the WebSocket and HTTP APIs sees it.
import type { DoneFrame, ErrorFrame, ServerFrame } from '@manga-assist/contracts';
import { createDynamoClient, tableDefinitions } from '@manga-assist/aws';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { createSharedResponseCache } from '@manga-assist/cache';
import { waitFor } from '@manga-assist/testing';
import { ChatClient, startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';

jest.setTimeout(180_000);

const gatewayUrl = (system: TestSystem) => system.urls['chat-gateway']!;
const wsUrl = (system: TestSystem) => `${gatewayUrl(system).replace('http', 'ws')}/ws`;

const done = (frames: ServerFrame[]) => frames.find((f): f is DoneFrame => f.type === 'done');
const tokens = (frames: ServerFrame[]) => frames.filter((f) => f.type === 'token').map((f) => (f as { text: string }).text);

describe('chat over WebSocket', () => {
  let system: TestSystem;
  let client: ChatClient;

  beforeAll(async () => {
    system = await startTestSystem({ apps: ['chat-gateway', 'post-processor'] });
    client = await ChatClient.connect(wsUrl(system), { token: await system.token('u-1') });
  });
  afterAll(async () => {
    client?.close();
    await system?.stop();
  });

  it('greets with the connection and a new session id', () => {
    expect(client.ready.connectionId).toMatch(/[0-9a-f-]{36}/);
    expect(client.ready.sessionId).toMatch(/[0-9a-f-]{36}/);
  });

  it('streams tokens and then done for a Japanese and an English question', async () => {
    const first = await client.ask('今週の人気マンガは？');
    expect(tokens(first).length).toBeGreaterThan(1);
    expect(first.at(-1)?.type).toBe('done');
    expect(done(first)).toMatchObject({ cached: false, intent: 'trending', model: 'haiku' });
    // The first message used the context prefetched on connect.
    expect(done(first)?.timings['prefetched']).toBe(1);
    for (const segment of ['validate', 'intent', 'cache-lookup', 'session-load', 'vector-search', 'prompt-assembly', 'fm-first-token', 'fm-total', 'stream', 'enqueue']) {
      expect(done(first)?.timings).toHaveProperty(segment);
    }

    const second = await client.ask('recommend a shonen manga under 1000 yen');
    expect(tokens(second).join('')).toMatch(/¥|yen|JPY/i);
    expect(done(second)).toMatchObject({ cached: false, intent: 'recommendation' });
    // done names the products the answer was grounded on: the filters held, and the answer names them.
    const products = done(second)?.products ?? [];
    expect(products.length).toBeGreaterThan(0);
    for (const product of products) expect(product).toMatchObject({ demographic: 'shonen', priceJpy: expect.any(Number) });
    expect(Math.max(...products.map((p) => p.priceJpy))).toBeLessThanOrEqual(1000);
    expect(tokens(second).join('')).toContain(products[0]!.title);
  });

  it('answers the same question from the cache once it has been stored', async () => {
    let again: ServerFrame[] = [];
    await waitFor(
      async () => {
        again = await client.ask('今週の人気マンガは？');
        return done(again)?.cached === true;
      },
      { timeoutMs: 15_000, intervalMs: 200, description: 'a cached answer' },
    );
    expect(done(again)).toMatchObject({ cached: true, model: 'cache', intent: 'trending' });
    // The cache keeps the answer's text only: what it was grounded on is not claimed.
    expect(done(again)).not.toHaveProperty('products');
    expect(tokens(again).join('').length).toBeGreaterThan(0);
  });

  it('answers a repeated question from memory, and a rewritten answer at once', async () => {
    const metrics = async () => (await fetch(`${gatewayUrl(system)}/metrics`)).text();
    const held = async () => Number(/manga_assist_local_cache_lookups_total\{[^}]*outcome="held"[^}]*\} (\d+)/.exec(await metrics())?.[1] ?? 0);
    const question = '今週の人気マンガは？';
    const answerTo = async () => tokens(await client.ask(question)).join('');
    // The answers are stored here as the scheduler (or the post-processor) would store them.
    const redis = new Redis(system.env['REDIS_URL']!);
    const writer = createSharedResponseCache({ redis, keyPrefix: system.keyPrefix });
    const scope = { intent: 'trending' as const, filters: {}, titleIds: [], language: 'ja' as const };
    try {
      await writer.write({ question, answer: '一回目の答え', model: 'haiku', scope, ttlSeconds: 60 });
      await waitFor(async () => (await answerTo()) === '一回目の答え', { timeoutMs: 2000, intervalMs: 20, description: 'the stored answer' });
      const before = await held();
      expect(await answerTo()).toBe('一回目の答え');
      expect(await held()).toBeGreaterThan(before);

      await writer.write({ question, answer: '二回目の答え', model: 'haiku', scope, ttlSeconds: 60 });
      await waitFor(async () => (await answerTo()) === '二回目の答え', { timeoutMs: 2000, intervalMs: 20, description: 'the rewritten answer' });
    } finally {
      redis.disconnect();
    }
  });

  it('stores both turns of the session in DynamoDB after post-processing', async () => {
    const dynamo = createDynamoClient({ region: 'ap-northeast-1', endpoint: system.dynamoEndpoint });
    const table = tableDefinitions(system.tablePrefix).turns.TableName;
    const sessionId = client.ready.sessionId;
    const turns = await waitFor(
      async () => {
        const res = await dynamo.send(
          new QueryCommand({ TableName: table, KeyConditionExpression: 'sessionId = :s', ExpressionAttributeValues: { ':s': { S: sessionId } } }),
        );
        return (res.Items?.length ?? 0) >= 2 ? res.Items : null;
      },
      { timeoutMs: 15_000, description: 'two stored turns' },
    );
    dynamo.destroy();
    const users = turns.map((t) => JSON.stringify(t));
    expect(users.some((u) => u.includes('今週の人気マンガは？'))).toBe(true);
    expect(users.some((u) => u.includes('recommend a shonen manga under 1000 yen'))).toBe(true);
  });

  it('answers every bad frame with a typed error and keeps the connection answering', async () => {
    const bad: [string | Buffer, boolean, string][] = [
      ['{not json', false, 'invalid_json'],
      [JSON.stringify({ action: 'dance', requestId: 'b1' }), false, 'unknown_action'],
      [JSON.stringify({ action: 'sendMessage', requestId: 'b2' }), false, 'invalid_frame'],
      [Buffer.from([0xde, 0xad]), true, 'binary_not_supported'],
      [JSON.stringify({ action: 'sendMessage', requestId: 'b3', text: 'x'.repeat(5000) }), false, 'text_too_large'],
      [JSON.stringify({ action: 'sendMessage', requestId: 'b4', text: 'x'.repeat(40_000) }), false, 'frame_too_large'],
    ];
    for (const [data, binary, code] of bad) {
      const before = client.frames.length;
      client.sendRaw(data, binary);
      const error = await waitFor(() => client.frames.slice(before).find((f): f is ErrorFrame => f.type === 'error'), {
        timeoutMs: 5000,
        description: `error ${code}`,
      });
      expect(error.code).toBe(code);
    }
    const after = await client.ask('新刊');
    expect(done(after)?.intent).toBe('new_releases');
  });
});

describe('chat over HTTP', () => {
  let system: TestSystem;
  let token: string;
  beforeAll(async () => {
    system = await startTestSystem({ apps: ['chat-gateway', 'post-processor'] });
    token = await system.token('u-http');
  });
  afterAll(() => system?.stop());

  it('streams Server-Sent Events', async () => {
    const res = await fetch(`${gatewayUrl(system)}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: 'show me seinen' }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const body = await res.text();
    expect(body).toMatch(/^event: token\ndata: /m);
    expect(body).toMatch(/^event: done\ndata: .*"intent":"genre_browse"/m);
  });

  it('answers with one JSON document when asked for JSON', async () => {
    const res = await fetch(`${gatewayUrl(system)}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: 'trending manga' }),
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { text: string; done: DoneFrame; sessionId: string };
    expect(json.text.length).toBeGreaterThan(0);
    expect(json.done).toMatchObject({ type: 'done', intent: 'trending' });
  });

  it('rejects bad bodies with typed errors', async () => {
    const post = (body: string) =>
      fetch(`${gatewayUrl(system)}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` }, body });
    const tooLong = await post(JSON.stringify({ text: 'あ'.repeat(2000) }));
    expect(tooLong.status).toBe(413);
    expect(((await tooLong.json()) as ErrorFrame).code).toBe('text_too_large');
    const empty = await post(JSON.stringify({}));
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as ErrorFrame).code).toBe('invalid_frame');
    const broken = await post('{"text":');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as ErrorFrame).code).toBe('invalid_json');
  });
});
