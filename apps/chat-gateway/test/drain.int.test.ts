// SIGTERM on one of two gateways behind HAProxy: it turns not-ready so HAProxy sends new clients to
// the other, refuses new upgrades, lets the answer in flight finish, then tells each of its clients
// to reconnect (a typed frame, then close 1001) and exits 0; a client that reconnects continues its
// session on the other gateway.
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { connectionKey } from '@manga-assist/connections';
import type { ServerFrame } from '@manga-assist/contracts';
import { ChatClient, startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import { startHaproxy, waitFor } from '@manga-assist/testing';
import type { Haproxy } from '@manga-assist/testing';

jest.setTimeout(120_000);

const NOT_READY_MS = 800;

/** The HTTP answer to a WebSocket upgrade: 101 when it opened (closed again at once), else the refusal. */
function upgrade(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.on('open', () => {
      socket.close();
      resolve({ status: 101, body: '' });
    });
    socket.on('error', reject);
  });
}
const RETRY_AFTER_MS = 500;

describe('a gateway drained by SIGTERM behind HAProxy', () => {
  let system: TestSystem;
  let haproxy: Haproxy;
  let redis: Redis;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    system = await startTestSystem({
      apps: ['chat-gateway'],
      replicas: { 'chat-gateway': 2 },
      env: {
        DRAIN_NOT_READY_MS: String(NOT_READY_MS),
        DRAIN_TIMEOUT_MS: '15000',
        RECONNECT_AFTER_MS: String(RETRY_AFTER_MS),
        // Every answer takes about 2.5 s before its first token: one is still in flight well after the drain starts.
        LOCAL_HAIKU_FIRST_TOKEN_MS: '2500',
        LOCAL_SONNET_FIRST_TOKEN_MS: '2500',
        LOCAL_HAIKU_TOKEN_MS: '2',
        LOCAL_SONNET_TOKEN_MS: '2',
      },
    });
    haproxy = await startHaproxy({ backends: system.replicaUrls['chat-gateway']! });
    await haproxy.waitAllUp();
    redis = new Redis(system.env['REDIS_URL']!);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await haproxy?.stop();
    await system?.stop();
    redis?.disconnect();
  });

  const wsUrl = () => `${haproxy.url.replace('http', 'ws')}/ws`;
  const instanceOf = (client: ChatClient) => redis.get(connectionKey(system.keyPrefix, client.ready.connectionId));
  const connect = async (user: string, sessionId?: string) => {
    const client = await ChatClient.connect(`${wsUrl()}${sessionId ? `?sessionId=${sessionId}` : ''}`, { token: await system.token(user) });
    clients.push(client);
    return client;
  };

  it('finishes the answer in flight, then sends reconnect and closes 1001; new clients go to the other gateway', async () => {
    const first = system.replicaUrls['chat-gateway']![0]!;
    // leastconn: four clients, two on each gateway.
    const connected = [];
    for (let i = 0; i < 4; i++) connected.push(await connect(`u-drain-${i}`));
    const where = await Promise.all(connected.map(instanceOf));
    expect(where.filter((w) => w === 'chat-gateway-1')).toHaveLength(2);
    expect(where.filter((w) => w === 'chat-gateway-2')).toHaveLength(2);
    const [busy, idle] = connected.filter((_, i) => where[i] === 'chat-gateway-1');
    const others = connected.filter((_, i) => where[i] === 'chat-gateway-2');

    busy!.sendRaw(JSON.stringify({ action: 'sendMessage', requestId: 'in-flight', text: 'おすすめの少年マンガは？' }));
    // An HTTP chat request in flight on the same gateway (JSON answer) finishes too.
    const chat = (text: string) =>
      fetch(`${first}/v1/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${httpToken}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ text }),
      });
    const httpToken = await system.token('u-drain-http');
    const httpInFlight = chat('今週の人気マンガは？');
    await new Promise((r) => setTimeout(r, 200));
    const signalled = performance.now();
    const sigterm = system.processAt(first).stop('SIGTERM', { killAfterMs: 20_000 });

    // Not ready first: HAProxy takes it out while it still serves; then it refuses new upgrades.
    await waitFor(async () => (await haproxy.serverStates())['s1'] === 'DOWN', { timeoutMs: NOT_READY_MS, intervalMs: 50, description: 'HAProxy marking the draining gateway down' });
    const readyz = await fetch(`${first}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toMatchObject({ ready: false, reason: 'draining: shutting down' });
    const newcomer = await connect('u-drain-new');
    expect(await instanceOf(newcomer)).toBe('chat-gateway-2');
    const token = await system.token('u-late');
    const refused = await waitFor(
      async () => {
        const answer = await upgrade(`${first.replace('http', 'ws')}/ws`, token);
        return answer.status === 503 ? answer : null;
      },
      { timeoutMs: 3000, intervalMs: 100, description: 'a direct upgrade refused with 503' },
    );
    expect(JSON.parse(refused.body)).toMatchObject({ type: 'error', code: 'unavailable' });
    // A new HTTP request is refused the same way, and told when to come back; health still answers.
    const late = await chat('新刊は？');
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('1');
    expect(await late.json()).toMatchObject({ type: 'error', code: 'unavailable' });
    expect((await fetch(`${first}/healthz`)).status).toBe(200);
    // The answer is still streaming at this point.
    expect(busy!.frames.some((f) => f.type === 'done')).toBe(false);

    const answered = await httpInFlight;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ done: { type: 'done' } });
    const exit = await sigterm;
    // A failed shutdown step is logged: show it.
    if (exit.code !== 0) process.stdout.write(system.processAt(first).output().slice(-6000));
    expect(exit).toEqual({ code: 0, signal: null });
    process.stdout.write(`drained and exited ${Math.round(performance.now() - signalled)} ms after SIGTERM\n`);
    // The busy client got its whole answer, then the reconnect hint, then 1001.
    const types = busy!.frames.map((f) => f.type);
    expect(types.filter((t) => t === 'done')).toHaveLength(1);
    expect(types.indexOf('done')).toBeLessThan(types.indexOf('reconnect'));
    expect(types.at(-1)).toBe('reconnect');
    for (const client of [busy!, idle!]) {
      const hint = client.frames.find((f): f is Extract<ServerFrame, { type: 'reconnect' }> => f.type === 'reconnect');
      expect(hint).toMatchObject({ type: 'reconnect', message: expect.stringContaining('shutting down') });
      expect(hint!.retryAfterMs).toBeGreaterThanOrEqual(0);
      expect(hint!.retryAfterMs).toBeLessThanOrEqual(RETRY_AFTER_MS);
      expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down: reconnect' });
    }
    // The other gateway's clients noticed nothing.
    for (const client of others) expect(client.frames.map((f) => f.type)).toEqual(['ready']);

    // Reconnecting through HAProxy continues the session on the other gateway.
    const again = await connect('u-drain-0', busy!.ready.sessionId);
    expect(again.ready.sessionId).toBe(busy!.ready.sessionId);
    expect(await instanceOf(again)).toBe('chat-gateway-2');
    expect((await again.ask('新刊は？', 'after-drain', 15_000)).at(-1)).toMatchObject({ type: 'done' });
  });
});
