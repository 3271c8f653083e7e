// Fair limits, the Origin allowlist and the admin claim, seen from outside: two gateway instances
// in-process on the same Redis and KEY_PREFIX, real WebSocket and fetch clients.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import type { ErrorFrame } from '@manga-assist/contracts';
import { ensureLocalIssuerKeys, mintLocalToken } from '@manga-assist/auth';
import { createDynamoClient, ensureTables, tableDefinitions } from '@manga-assist/aws';
import { loadConfig } from '@manga-assist/config';
import { ChatClient, TEST_APP_ENV, TEST_CONTROL_TOKEN } from '@manga-assist/local-stack';
import { createQueueSet } from '@manga-assist/queue';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { deleteKeysWithPrefix, freePort, standardWebhookHeaders, startDynalite, testRedisUrl, uniquePrefix, waitFor, webhookSecrets } from '@manga-assist/testing';
import type { LocalEngine } from '@manga-assist/testing';
import { createApp } from '../src/app';
import type { GatewayApp } from '../src/app';
import { createClients } from '../src/clients';
import { gatewayConfigSchema } from '../src/config';

jest.setTimeout(120_000);

const secrets = webhookSecrets();

/** An upgrade attempt: the HTTP answer when refused, or the open socket. */
async function upgrade(url: string, headers: Record<string, string>): Promise<{ status: number; retryAfter?: string; body?: ErrorFrame; socket?: WebSocket }> {
  const socket = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body: JSON.parse(text) as ErrorFrame }));
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

describe('fair limits, Origins and the admin claim on two gateway instances', () => {
  const label = uniquePrefix('gw-limits').replace(/[^\w]/g, '');
  const keyDir = mkdtempSync(path.join(os.tmpdir(), 'manga-assist-auth-'));
  let dynalite: LocalEngine;
  const apps: GatewayApp[] = [];
  const urls: string[] = [];
  const clients: ChatClient[] = [];
  const token = async (user: string, claims?: Record<string, unknown>) => mintLocalToken(await ensureLocalIssuerKeys(keyDir), user, claims ? { claims } : {});
  const connect = async (at: number, user: string, address: string) => {
    const client = await ChatClient.connect(`${urls[at]!.replace('http', 'ws')}/ws`, { token: await token(user), headers: { 'x-forwarded-for': address } });
    clients.push(client);
    return client;
  };
  const wsUrl = (at: number) => `${urls[at]!.replace('http', 'ws')}/ws`;

  beforeAll(async () => {
    dynalite = await startDynalite();
    const env = {
      REDIS_URL: testRedisUrl(),
      CONTROL_TOKEN: TEST_CONTROL_TOKEN,
      DYNAMODB_ENDPOINT: dynalite.endpoint,
      TABLE_PREFIX: `${label}-`,
      QUEUE_PREFIX: label,
      ...TEST_APP_ENV,
      // Both instances share the limits: same Redis, same KEY_PREFIX.
      KEY_PREFIX: `${label}:`,
      AUTH_MODE: 'local',
      AUTH_LOCAL_KEY_DIR: keyDir,
      LIMIT_MESSAGES: '3',
      LIMIT_MESSAGES_WINDOW_S: '3',
      LIMIT_CONNECTIONS_PER_USER: '2',
      LIMIT_CONNECTIONS_PER_IP: '3',
      LIMIT_NEW_CONNECTIONS_PER_IP_PER_SECOND: '5',
      LIMIT_WEBHOOKS_PER_SOURCE_PER_SECOND: '2',
      LIMIT_ANALYSES_PER_HOUR: '2',
      // Each part of the test speaks from its own address, as an ALB would report it.
      TRUST_PROXY_HOPS: '1',
      ALLOWED_ORIGINS: 'https://shop.example.jp',
      WEBHOOK_SECRET_REVIEWS: secrets.standard,
    };
    const setupClient = createDynamoClient({ region: 'ap-northeast-1', endpoint: dynalite.endpoint });
    await ensureTables(setupClient, tableDefinitions(`${label}-`));
    setupClient.destroy();
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const config = loadConfig(gatewayConfigSchema, { ...env, GATEWAY_PORT: String(port) });
      const logger = createLogger({ app: 'chat-gateway', level: 'warn' });
      const registry = createMetricsRegistry('chat-gateway', { defaultMetrics: false });
      const app = createApp({ config, logger, registry, ...createClients(config, { logger, registry }), handleSignals: false });
      apps.push(app);
      await app.start();
      urls.push(`http://127.0.0.1:${port}`);
    }
    for (const url of urls) await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs: 90_000, intervalMs: 200 });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const app of apps) await app.stop();
    const queues = createQueueSet({ redisUrl: testRedisUrl(), prefix: label });
    for (const queue of queues.all()) await queue.obliterate({ force: true });
    await queues.close();
    const redis = new Redis(testRedisUrl());
    await deleteKeysWithPrefix(redis, `${label}:`);
    redis.disconnect();
    await dynalite?.stop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('refuses a user over their message rate on either instance with rate_limited, leaves others alone, and takes the next message once retryAfterMs has passed', async () => {
    const aliceOnFirst = await connect(0, 'alice', '203.0.113.10');
    const aliceOnSecond = await connect(1, 'alice', '203.0.113.10');
    const bob = await connect(1, 'bob', '203.0.113.11');
    for (const client of [aliceOnFirst, aliceOnFirst, aliceOnSecond]) expect((await client.ask('新刊')).at(-1)).toMatchObject({ type: 'done' });

    // Refused before anything of the answer (a cache hit here) was sent: the one frame is the error.
    const frames = await aliceOnSecond.ask('新刊', 'over');
    expect(frames).toHaveLength(1);
    const refused = frames[0] as ErrorFrame;
    expect(refused).toMatchObject({ type: 'error', requestId: 'over', code: 'rate_limited' });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(3000);
    expect((await bob.ask('新刊')).at(-1)).toMatchObject({ type: 'done' });

    // The HTTP doors count the same messages: 429 with Retry-After, typed (and OpenAI-shaped) bodies.
    const headers = { authorization: `Bearer ${await token('alice')}`, 'content-type': 'application/json', accept: 'application/json' };
    const chat = await fetch(`${urls[0]}/v1/chat`, { method: 'POST', headers, body: JSON.stringify({ text: '新刊' }) });
    expect(chat.status).toBe(429);
    expect(Number(chat.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await chat.json()).toMatchObject({ type: 'error', code: 'rate_limited', retryAfterMs: expect.any(Number) });
    // Asked for a stream, the same: a 429 before any event.
    const streamed = await fetch(`${urls[1]}/v1/chat`, { method: 'POST', headers: { ...headers, accept: 'text/event-stream' }, body: JSON.stringify({ text: '新刊' }) });
    expect(streamed.status).toBe(429);
    expect(await streamed.json()).toMatchObject({ type: 'error', code: 'rate_limited' });
    const completions = await fetch(`${urls[1]}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'manga-assist', messages: [{ role: 'user', content: '新刊' }] }) });
    expect(completions.status).toBe(429);
    expect(Number(completions.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await completions.json()).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', retry_after_ms: expect.any(Number) } });
    const streamedCompletions = await fetch(`${urls[0]}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'manga-assist', stream: true, messages: [{ role: 'user', content: '新刊' }] }) });
    expect(streamedCompletions.status).toBe(429);
    expect(await streamedCompletions.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });

    // The connection stayed open, and is heard again once the window has passed.
    await new Promise((resolve) => setTimeout(resolve, refused.retryAfterMs! + 100));
    expect((await aliceOnSecond.ask('新刊')).at(-1)).toMatchObject({ type: 'done' });
    expect(await (await fetch(`${urls[1]}/metrics`)).text()).toMatch(/manga_assist_limit_refused_total\{limit="messages",app="chat-gateway"\} [1-9]/);
  });

  it('refuses a user’s third analysis in the hour across instances and doors with 429 / rate_limited, and leaves others alone', async () => {
    const post = async (at: number, user: string) =>
      fetch(`${urls[at]}/v1/analyze`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token(user)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'series-deep-dive', titles: ['ONE PIECE'] }),
      });
    expect((await post(0, 'heidi')).status).toBe(202);
    expect((await post(1, 'heidi')).status).toBe(202);
    const third = await post(0, 'heidi');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(await third.json()).toMatchObject({ type: 'error', code: 'rate_limited', retryAfterMs: expect.any(Number) });
    // Over WebSocket the same limit answers a typed frame, and the connection stays open.
    const heidi = await connect(1, 'heidi', '203.0.113.60');
    heidi.sendRaw(JSON.stringify({ action: 'analyze', requestId: 'a3', kind: 'compare', titles: ['ONE PIECE', 'NARUTO'] }));
    const refused = await waitFor(() => heidi.frames.find((f) => f.type === 'error' && f.requestId === 'a3'), { timeoutMs: 5_000 });
    expect(refused).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect((await heidi.ask('新刊')).at(-1)).toMatchObject({ type: 'done' });
    expect((await post(1, 'ivan')).status).toBe(202);
  });

  it('refuses a user’s third connection across instances with 429 before the upgrade, and takes it once one closes', async () => {
    const first = await connect(0, 'carol', '203.0.113.20');
    await connect(1, 'carol', '203.0.113.21');
    const third = await upgrade(wsUrl(0), { authorization: `Bearer ${await token('carol')}`, 'x-forwarded-for': '203.0.113.22' });
    expect(third).toMatchObject({ status: 429, retryAfter: '5', body: { type: 'error', code: 'too_many_connections', retryAfterMs: 5000 } });
    first.close();
    await first.closed;
    const again = await waitFor(async () => {
      const attempt = await upgrade(wsUrl(1), { authorization: `Bearer ${await token('carol')}`, 'x-forwarded-for': '203.0.113.22' });
      return attempt.status === 101 ? attempt : undefined;
    }, { timeoutMs: 5_000, intervalMs: 100 });
    again.socket!.close();
  });

  it('refuses a fourth connection from one address (whoever the users) and a burst of new connections from one address', async () => {
    for (const user of ['dave', 'erin', 'frank']) await connect(0, user, '198.51.100.30');
    const fourth = await upgrade(wsUrl(1), { authorization: `Bearer ${await token('grace')}`, 'x-forwarded-for': '198.51.100.30' });
    expect(fourth).toMatchObject({ status: 429, body: { code: 'too_many_connections' } });

    // Six attempts at once from one address (without tokens): five are looked at, the sixth is refused before.
    const burst = await Promise.all(Array.from({ length: 6 }, () => upgrade(wsUrl(0), { 'x-forwarded-for': '198.51.100.40' })));
    expect(burst.map((b) => b.status).sort()).toEqual([401, 401, 401, 401, 401, 429]);
    const limited = burst.find((b) => b.status === 429)!;
    expect(limited.body).toMatchObject({ type: 'error', code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect(limited.retryAfter).toBe('1');
    // Another address is not affected.
    expect((await upgrade(wsUrl(0), { 'x-forwarded-for': '198.51.100.41' })).status).toBe(401);
  });

  it('opens the socket for no Origin, the gateway’s own pages and listed Origins, and answers 403 to any other', async () => {
    const headers = async (origin?: string, address = '192.0.2.50') => ({ authorization: `Bearer ${await token(`origin-${address}`)}`, 'x-forwarded-for': address, ...(origin ? { origin } : {}) });
    const evil = await upgrade(wsUrl(0), await headers('https://evil.example'));
    expect(evil).toMatchObject({ status: 403, body: { type: 'error', code: 'origin_not_allowed' } });
    for (const [origin, address] of [[undefined, '192.0.2.51'], [urls[0], '192.0.2.52'], ['https://shop.example.jp', '192.0.2.53']] as const) {
      const opened = await upgrade(wsUrl(0), await headers(origin, address));
      expect(opened.status).toBe(101);
      opened.socket!.close();
    }
  });

  it('opens the ops status, the ops feed and control calls to an admin’s token and the control token, not to a plain user’s', async () => {
    const admin = await token('olivia', { groups: ['admin'] });
    const plain = await token('peter', { groups: ['readers'] });
    const status = async (bearer: string) => (await fetch(`${urls[0]}/v1/ops/status`, { headers: { authorization: `Bearer ${bearer}` } })).status;
    expect(await status(admin)).toBe(200);
    expect(await status(TEST_CONTROL_TOKEN)).toBe(200);
    expect(await status(plain)).toBe(401);
    expect(await status('not-a-token')).toBe(401);

    const abort = new AbortController();
    const feed = await fetch(`${urls[1]}/v1/ops/stream`, { headers: { authorization: `Bearer ${admin}` }, signal: abort.signal });
    expect([feed.status, feed.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8']);
    abort.abort();
    expect((await fetch(`${urls[1]}/v1/ops/stream`, { headers: { authorization: `Bearer ${plain}` } })).status).toBe(401);

    const setLogLevel = async (bearer: string) =>
      (await fetch(`${urls[0]}/trpc/setLogLevel`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify({ level: 'warn' }) })).status;
    expect(await setLogLevel(admin)).toBe(200);
    expect(await setLogLevel(plain)).toBe(401);
  });

  it('takes a source’s signed deliveries up to its rate and answers 429 with Retry-After beyond it', async () => {
    const deliver = (id: string) => {
      const body = JSON.stringify({ reviewId: id, rating: 5 });
      return fetch(`${urls[0]}/v1/webhooks/reviews`, { method: 'POST', headers: standardWebhookHeaders(secrets.standard, id, body), body });
    };
    // Unsigned junk does not use up the source's rate.
    for (let i = 0; i < 3; i++) expect((await fetch(`${urls[1]}/v1/webhooks/reviews`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    const answers = await Promise.all(['msg_a', 'msg_b', 'msg_c'].map(deliver));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 429]);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited', retryAfterMs: expect.any(Number) } });
  });
});
