// Fault tests with real processes: the gateway keeps answering, degraded and saying so, while a
// downstream fails, and recovers when it returns.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, tableDefinitions } from '@manga-assist/aws';
import type { DoneFrame, ErrorFrame, ServerFrame } from '@manga-assist/contracts';
import { ChatClient, startTestSystem, TEST_CONTROL_TOKEN } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import { createServiceClient } from '@manga-assist/rpc';
import type { GatewayRouter } from '@manga-assist/rpc';
import { freePort, spawnProcess, waitFor, within } from '@manga-assist/testing';
import type { SpawnedProcess } from '@manga-assist/testing';

jest.setTimeout(240_000);

const wsUrl = (system: TestSystem) => `${system.urls['chat-gateway']!.replace('http', 'ws')}/ws`;
const done = (frames: ServerFrame[]) => frames.find((f): f is DoneFrame => f.type === 'done');
const gateway = (system: TestSystem) =>
  createServiceClient<GatewayRouter>({ baseUrl: system.urls['chat-gateway']!, controlToken: TEST_CONTROL_TOKEN });
const breakerOf = async (system: TestSystem, downstream: string) =>
  (await gateway(system).downstreams.query()).find((d) => d.downstream === downstream)?.breaker;
const readyz = async (system: TestSystem) => {
  const res = await fetch(`${system.urls['chat-gateway']}/readyz`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as { ready: boolean; degraded: string[] } };
};

// Routed to Sonnet: a complex recommendation.
const COMPLEX = 'why is ONE PIECE so popular? and what should I read next?';
// Each ask a different question: a repeat moments after its answer is a cache hit and never reaches the model.
let asked = 0;
const complex = () => `${COMPLEX} (try ${++asked})`;

describe('Sonnet failing: the breaker opens, Haiku answers, the breaker closes again', () => {
  let system: TestSystem;
  let client: ChatClient;

  beforeAll(async () => {
    // Only the gateway: no cache writes, so every question reaches the model.
    system = await startTestSystem({
      apps: ['chat-gateway'],
      env: { SONNET_BREAKER_COOLDOWN_MS: '1500', SONNET_BREAKER_FAILURES: '5', SONNET_BREAKER_SUCCESSES: '3' },
    });
    client = await ChatClient.connect(wsUrl(system), { token: await system.token('u-resilience') });
  });
  afterAll(async () => {
    client?.close();
    await system?.stop();
  });

  it('answers with Sonnet while it is healthy', async () => {
    expect(done(await client.ask(complex()))).toMatchObject({ model: 'sonnet', cached: false });
    expect(done(await client.ask(complex()))?.degraded).toBeUndefined();
  });

  it('falls back to Haiku on each failure, opens after 5, then stops calling Sonnet', async () => {
    await gateway(system).setModelFaults.mutate({ sonnet: { code: 'unavailable' } });
    for (let i = 0; i < 5; i++) {
      const answer = done(await client.ask(complex()));
      expect(answer).toMatchObject({ model: 'haiku', degraded: ['sonnet-unavailable'] });
    }
    expect(await breakerOf(system, 'sonnet')).toBe('open');
    const metricsBefore = await (await fetch(`${system.urls['chat-gateway']}/metrics`)).text();
    const failures = (text: string) => Number(/manga_assist_downstream_calls_total\{downstream="sonnet",outcome="failure"[^}]*\} (\d+)/.exec(text)?.[1]);
    expect(failures(metricsBefore)).toBe(5);

    // Open: answered by Haiku at once, Sonnet not even tried.
    expect(done(await client.ask(complex()))).toMatchObject({ model: 'haiku', degraded: ['sonnet-unavailable'] });
    const metricsAfter = await (await fetch(`${system.urls['chat-gateway']}/metrics`)).text();
    expect(failures(metricsAfter)).toBe(5);
    expect(metricsAfter).toMatch(/manga_assist_downstream_fallbacks_total\{downstream="sonnet",fallback="haiku"[^}]*\} 6/);
  });

  it('closes after the cooldown and 3 successful trial calls', async () => {
    await gateway(system).setModelFaults.mutate({});
    await waitFor(async () => (await breakerOf(system, 'sonnet')) === 'half-open', { timeoutMs: 10_000, intervalMs: 100, description: 'the Sonnet breaker half-open' });
    for (let i = 0; i < 3; i++) {
      expect(await breakerOf(system, 'sonnet')).toBe('half-open');
      expect(done(await client.ask(complex()))).toMatchObject({ model: 'sonnet' });
    }
    expect(await breakerOf(system, 'sonnet')).toBe('closed');
  });

  it('shows every segment with its budget in the tRPC profile, and /metrics passes promtool', async () => {
    const profile = await gateway(system).profile.query();
    expect(profile.requests).toBeGreaterThanOrEqual(11);
    for (const segment of ['validate', 'intent', 'session-load', 'vector-search', 'prompt-assembly', 'stream', 'enqueue', 'total']) {
      expect(profile.segments[segment]).toMatchObject({ budgetMs: expect.any(Number), state: expect.stringMatching(/ok|over/) });
    }
    expect(profile.segments['fm-total:sonnet']?.budgetMs).toBe(800);
    expect(profile.segments['fm-total:haiku']?.budgetMs).toBe(300);
    expect(Object.keys(profile.segments)).toContain(profile.bottleneck.overall?.segment);

    const text = await (await fetch(`${system.urls['chat-gateway']}/metrics`)).text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stderr + check.stdout).toBe('');
    expect(check.status).toBe(0);
    expect(text).toMatch(/manga_assist_warmup_seconds\{step="all"/);
    expect(text).toMatch(/manga_assist_pool_sockets_in_use\{pool="dynamodb"/);
  });
});

describe('a Sonnet answer that runs past its timeout after streaming', () => {
  let system: TestSystem;

  beforeAll(async () => {
    // Sonnet starts at once, then takes 40 ms a token: a 300 ms budget ends it mid-answer.
    system = await startTestSystem({
      apps: ['chat-gateway'],
      env: { LOCAL_SONNET_FIRST_TOKEN_MS: '5', LOCAL_SONNET_TOKEN_MS: '40', SONNET_TIMEOUT_MS: '300', SONNET_RETRIES: '0' },
    });
  });
  afterAll(async () => system?.stop());

  it('ends with stream_interrupted, never a done or a second model appended to the first', async () => {
    const client = await ChatClient.connect(wsUrl(system), { token: await system.token('u-resilience') });
    const frames = await client.ask(complex());
    client.close();
    const tokens = frames.filter((f) => f.type === 'token');
    expect(tokens.length).toBeGreaterThan(0);
    expect(frames.at(-1)).toMatchObject({ type: 'error', code: 'stream_interrupted' });
    expect(frames.some((f) => f.type === 'done')).toBe(false);
  });
});

describe('Redis stopped mid-run', () => {
  let redis: SpawnedProcess;
  let port: number;
  let system: TestSystem;
  const startRedis = async () => {
    redis = spawnProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {});
    await waitFor(async () => redis.output().includes('Ready to accept connections'), { timeoutMs: 10_000, intervalMs: 50, description: 'redis-server started' });
  };

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    system = await startTestSystem({ apps: ['chat-gateway', 'post-processor'], env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await system?.stop();
    await redis?.stop('SIGKILL');
  });

  it('keeps answering without the cache, reports the degradation, and recovers when Redis returns', async () => {
    const client = await ChatClient.connect(wsUrl(system), { token: await system.token('u-resilience') });
    const question = 'trending manga';
    await client.ask(question);
    await waitFor(async () => done(await client.ask(question))?.cached === true, { timeoutMs: 30_000, intervalMs: 200, description: 'the answer cached' });

    await redis.stop('SIGKILL');
    // An answer held in the gateway's memory may still be served until the gateway has seen its
    // invalidation connection drop (moments); from then on nothing is held and the cache is passed through.
    await waitFor(async () => done(await client.ask(question))?.cached === false, { timeoutMs: 2000, intervalMs: 10, description: 'the held answer dropped' });
    for (let i = 0; i < 6; i++) {
      const started = performance.now();
      const answer = done(await client.ask(question));
      expect(answer).toMatchObject({ cached: false, degraded: ['cache-unavailable'] });
      expect(performance.now() - started).toBeLessThan(5000);
    }
    await waitFor(async () => (await readyz(system)).body.degraded.some((d) => d.startsWith('redis')), { timeoutMs: 10_000, intervalMs: 200, description: '/readyz reporting redis' });
    const degraded = await readyz(system);
    expect(degraded.status).toBe(200);
    expect(degraded.body.ready).toBe(true);

    await startRedis();
    await waitFor(async () => (await readyz(system)).body.degraded.length === 0, { timeoutMs: 30_000, intervalMs: 200, description: '/readyz without degradation' });
    // The breaker lets the cache back in after its cooldown; the answer is cached again.
    await waitFor(async () => done(await client.ask(question))?.cached === true, { timeoutMs: 60_000, intervalMs: 500, description: 'answers from the cache again' });
    client.close();
  });
});

describe('DynamoDB (dynalite) stopped mid-run', () => {
  let system: TestSystem;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dynalite-outage-'));
    system = await startTestSystem({ apps: ['chat-gateway', 'post-processor'], dynamoPath: dir });
  });
  afterAll(async () => {
    await system?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers while it is down (a new session needs nothing from it, one in Redis goes on) and loses no turn once it returns', async () => {
    const known = await ChatClient.connect(wsUrl(system), { token: await system.token('u-resilience') });
    // Order questions are never cached: each one is a turn of its own.
    expect(done(await known.ask('where is my order number 1?'))).toMatchObject({ cached: false });

    await within(20_000, 'stopping dynalite', system.stopDynamo());
    // A new session (the gateway names it) has nothing to read: it answers as usual, not degraded,
    // and its turns wait for DynamoDB in the post-processor's queue.
    const fresh = await ChatClient.connect(wsUrl(system), { token: await system.token('u-resilience') });
    const answer = done(await fresh.ask('where is my order number 2?'));
    expect(answer).toMatchObject({ cached: false });
    expect(answer?.degraded ?? []).toEqual([]);
    expect(done(await fresh.ask('where is my order number 3?'))).toMatchObject({ cached: false });
    // A session already cached in Redis goes on as before.
    expect(done(await known.ask('where is my order number 4?'))).toMatchObject({ cached: false });
    fresh.close();
    known.close();
    expect((await readyz(system)).status).toBe(200);

    await within(20_000, 'starting dynalite again', system.startDynamo());
    await waitFor(async () => (await readyz(system)).body.degraded.length === 0, { timeoutMs: 30_000, intervalMs: 200, description: '/readyz without degradation' });

    // Every turn asked during the outage reaches DynamoDB once it is back.
    const dynamo = createDynamoClient({ region: 'ap-northeast-1', endpoint: system.dynamoEndpoint });
    const turnsOf = async (sessionId: string) => {
      const out = await dynamo.send(
        new QueryCommand({ TableName: tableDefinitions(system.tablePrefix).turns.TableName, KeyConditionExpression: 'sessionId = :s', ExpressionAttributeValues: { ':s': { S: sessionId } } }),
      );
      return (out.Items ?? []).map((item) => JSON.stringify(item));
    };
    const has = (rows: string[], n: number) => rows.some((row) => row.includes(`where is my order number ${n}?`));
    try {
      await waitFor(
        async () => {
          const [knownTurns, freshTurns] = await Promise.all([turnsOf(known.ready.sessionId), turnsOf(fresh.ready.sessionId)]);
          return has(knownTurns, 1) && has(knownTurns, 4) && has(freshTurns, 2) && has(freshTurns, 3);
        },
        { timeoutMs: 90_000, intervalMs: 500, description: 'turns 1–4 stored in their sessions' },
      );
    } finally {
      dynamo.destroy();
    }
  });
});

describe('a burst of 500 concurrent requests with a slow Sonnet', () => {
  let system: TestSystem;
  const SONNET_MS = 8000;

  beforeAll(async () => {
    system = await startTestSystem({
      apps: ['chat-gateway', 'post-processor'],
      env: {
        LOCAL_SONNET_FIRST_TOKEN_MS: String(SONNET_MS),
        LOCAL_HAIKU_FIRST_TOKEN_MS: '20',
        SONNET_BULKHEAD: '10',
        SONNET_BULKHEAD_QUEUE: '10',
        HAIKU_BULKHEAD: '400',
        HAIKU_BULKHEAD_QUEUE: '200',
      },
    });
  });
  afterAll(async () => system?.stop());

  it('holds the bulkheads: hits and Haiku stay fast, Sonnet runs 10 at a time and the rest fall back; nothing waits unboundedly', async () => {
    const token = await system.token('u-burst');
    const ask = async (text: string) => {
      const started = performance.now();
      const res = await fetch(`${system.urls['chat-gateway']}/v1/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ text }),
      });
      const body = (await res.json()) as { done?: DoneFrame } & Partial<ErrorFrame>;
      return { ms: performance.now() - started, status: res.status, done: body.done, code: body.code };
    };
    // A cached answer to hit during the burst.
    const hot = 'trending manga';
    await ask(hot);
    await waitFor(async () => (await ask(hot)).done?.cached === true, { timeoutMs: 30_000, intervalMs: 200, description: 'a cached answer' });

    const kinds = Array.from({ length: 500 }, (_, i) => (i % 5 === 0 ? 'hit' : i % 5 === 1 ? 'sonnet' : 'haiku'));
    const started = performance.now();
    const results = await Promise.all(
      kinds.map(async (kind, i) => ({
        kind,
        ...(await ask(kind === 'hit' ? hot : kind === 'sonnet' ? `${COMPLEX} (${i})` : `where is my order number ${i}?`)),
      })),
    );
    const wall = performance.now() - started;

    // Every request got an answer, none an error, and the whole burst was over soon after one Sonnet answer.
    expect(results.filter((r) => r.status !== 200).map((r) => r.code)).toEqual([]);
    expect(wall).toBeLessThan(SONNET_MS * 2 + 10_000);

    const sonnet = results.filter((r) => r.kind === 'sonnet');
    const bySonnet = sonnet.filter((r) => r.done?.model === 'sonnet');
    const fellBack = sonnet.filter((r) => r.done?.model === 'haiku');
    // Haiku's answers to these similar questions are cached as they come: later ones may hit them.
    const cached = sonnet.filter((r) => r.done?.model === 'cache');
    // At most the bulkhead's 10 slots plus 10 queued ran on Sonnet; the rest went to Haiku and said so.
    expect(bySonnet.length).toBeGreaterThanOrEqual(10);
    expect(bySonnet.length).toBeLessThanOrEqual(20);
    expect(fellBack.length).toBeGreaterThan(0);
    expect(bySonnet.length + fellBack.length + cached.length).toBe(100);
    for (const r of fellBack) expect(r.done?.degraded).toContain('sonnet-busy');
    for (const r of bySonnet) expect(r.ms).toBeGreaterThanOrEqual(SONNET_MS);

    // Cache hits and Haiku answers did not wait behind Sonnet.
    const slowest = (kind: string) => Math.max(...results.filter((r) => r.kind === kind).map((r) => r.ms));
    // 500 cache lookups at once queue behind the Redis bulkhead (15): on a loaded machine the last
    // may pass their timeout, and then the Redis breaker opens; those questions are answered fresh,
    // and say so. Either way every one is answered, none waits behind Sonnet.
    const hits = results.filter((r) => r.kind === 'hit');
    expect(hits.some((r) => r.done?.cached === true)).toBe(true);
    for (const r of hits.filter((h) => h.done?.cached !== true)) expect(r.done?.degraded).toContain('cache-unavailable');
    expect(slowest('hit')).toBeLessThan(SONNET_MS);
    expect(slowest('haiku')).toBeLessThan(SONNET_MS);
  });
});
