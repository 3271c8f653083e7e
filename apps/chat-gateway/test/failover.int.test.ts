// Scale-out through a real load balancer: HAProxy in front of two gateways, with two
// post-processors and two schedulers on one Redis. 200 signed-in clients chat; one gateway is
// SIGKILLed while every client has an answer streaming. Its clients see their socket close (never a
// `done` for the lost answer), reconnect through HAProxy to the other gateway and continue their
// sessions; every answered question is stored exactly once; revisions reach clients on either
// gateway; cron slots and jobs ran once across the pairs.
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createDynamoClient, tableDefinitions } from '@manga-assist/aws';
import { connectionKey } from '@manga-assist/connections';
import type { SessionUpdateJob } from '@manga-assist/contracts';
import { ChatClient, startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import { QUEUE_NAMES, createQueueSet } from '@manga-assist/queue';
import type { QueueSet } from '@manga-assist/queue';
import { EVENT_STREAM_HEADERS, converseStreamFrames, pause, startHaproxy, startTestServer, waitFor } from '@manga-assist/testing';
import type { Haproxy, TestServer } from '@manga-assist/testing';

jest.setTimeout(180_000);

const CLIENTS = 200;
// Questions marked so are answered in two halves this far apart: the kill lands mid-stream.
const HOLD = '（続きはのちほど）';
const HOLD_MS = 8000;
const LEAK = '在庫の電話';
const LEAKY_ANSWER = ['在庫のお問い合わせは ', '090-1234-5678 ', 'までどうぞ。'];
const EVERY_2_SECONDS = '*/2 * * * * *';

interface ConverseBody {
  messages: { role: string; content: { text: string }[] }[];
}

/** One signed-in user: the session it keeps across connections, and every question that got `done`. */
interface User {
  name: string;
  token: string;
  sessionId: string;
  client: ChatClient;
  done: string[];
}

describe('two gateways behind HAProxy, one SIGKILLed mid-stream', () => {
  let bedrock: TestServer;
  let system: TestSystem;
  let haproxy: Haproxy;
  let redis: Redis;
  let queues: QueueSet;
  const users: User[] = [];

  beforeAll(async () => {
    // Bedrock ConverseStream stand-in (the real SDK in the gateways talks to it).
    bedrock = await startTestServer(async (req, res) => {
      const question = (JSON.parse(req.body) as ConverseBody).messages.at(-1)?.content[0]?.text ?? '';
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.write(converseStreamFrames.start());
      if (question.includes(LEAK)) {
        for (const text of LEAKY_ANSWER) res.write(converseStreamFrames.delta(text));
      } else {
        res.write(converseStreamFrames.delta('おすすめは『ワンピース』です。'));
        if (question.includes(HOLD)) await pause(HOLD_MS);
        res.write(converseStreamFrames.delta('最新刊も出ています。'));
      }
      for (const frame of [converseStreamFrames.blockStop(), converseStreamFrames.stop(), converseStreamFrames.metadata(100, 20)]) res.write(frame);
      res.end();
    });
    const env: Record<string, string> = {
      MODEL_PROVIDER: 'bedrock',
      BEDROCK_ENDPOINT: bedrock.url,
      // Every client's answer in flight at once, on either gateway.
      HAIKU_BULKHEAD: '150',
      SONNET_BULKHEAD: '150',
      // Each question is asked once: only an identical one would be answered from the cache.
      CACHE_SIMILARITY_THRESHOLD: '1',
      TOP_TITLES_COUNT: '3',
      // The dead gateway's registry entries are swept within seconds.
      CONNECTION_TTL_MS: '3000',
    };
    for (const task of ['TRENDING', 'NEW_RELEASES', 'GENRES', 'TOP_TITLES']) {
      env[`${task}_CRON`] = EVERY_2_SECONDS;
      env[`${task}_TTL_S`] = '60';
    }
    system = await startTestSystem({
      apps: ['chat-gateway', 'post-processor', 'prefetch-scheduler'],
      replicas: { 'chat-gateway': 2, 'post-processor': 2, 'prefetch-scheduler': 2 },
      env,
    });
    haproxy = await startHaproxy({ backends: system.replicaUrls['chat-gateway']! });
    await haproxy.waitAllUp();
    redis = new Redis(system.env['REDIS_URL']!);
    queues = createQueueSet({ redisUrl: system.env['REDIS_URL']!, prefix: system.queuePrefix });
  });
  afterAll(async () => {
    for (const user of users) user.client.close();
    await queues?.close();
    redis?.disconnect();
    await haproxy?.stop();
    await system?.stop();
    await bedrock?.close();
  });

  const wsUrl = () => `${haproxy.url.replace('http', 'ws')}/ws`;
  const instanceOf = (client: ChatClient) => redis.get(connectionKey(system.keyPrefix, client.ready.connectionId));
  const ask = async (user: User, requestId: string, text: string) => {
    const frames = await user.client.ask(text, requestId, 20_000);
    // (the whole last frame is shown when it is not `done`: an error names its code)
    expect(frames.at(-1)?.type === 'done' ? { type: 'done', requestId } : frames.at(-1)).toEqual({ type: 'done', requestId });
    user.done.push(requestId);
    return frames;
  };
  const opsStatus = async () =>
    (await (await fetch(`${system.replicaUrls['chat-gateway']![1]}/v1/ops/status`, { headers: { authorization: `Bearer ${system.env['CONTROL_TOKEN']}` } })).json()) as { gateways?: unknown };
  const revisionFor = (user: User, requestId: string) =>
    waitFor(() => user.client.frames.find((f) => f.type === 'revision' && f.requestId === requestId), { timeoutMs: 10_000, description: `a revision for ${requestId}` });
  /** Through HAProxy, retrying while it still sends some attempts to the dead gateway. */
  const reconnect = async (user: User) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ChatClient.connect(`${wsUrl()}?sessionId=${user.sessionId}`, { token: user.token });
      } catch (error) {
        if (attempt >= 10) throw error;
        await pause(200);
      }
    }
  };

  it('keeps every session going on the other gateway, each answered question stored exactly once', async () => {
    const first = system.replicaUrls['chat-gateway']![0]!;
    // 200 clients signed in through HAProxy; leastconn splits them evenly.
    for (let i = 0; i < CLIENTS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, CLIENTS - i) }, async (_, j) => {
          const name = `u-failover-${i + j}`;
          const token = await system.token(name);
          const client = await ChatClient.connect(wsUrl(), { token }).catch(async (error: Error) => {
            throw new Error(`${error.message}; servers behind HAProxy: ${JSON.stringify(await haproxy.serverStates())}`);
          });
          users.push({ name, token, sessionId: client.ready.sessionId, client, done: [] });
        }),
      );
    }
    const placed = await Promise.all(users.map((u) => instanceOf(u.client)));
    const onFirst = users.filter((_, i) => placed[i] === 'chat-gateway-1');
    const onSecond = users.filter((_, i) => placed[i] === 'chat-gateway-2');
    expect(onFirst.length + onSecond.length).toBe(CLIENTS);
    expect(Math.abs(onFirst.length - onSecond.length)).toBeLessThanOrEqual(CLIENTS / 10);
    expect(await opsStatus()).toMatchObject({ gateways: { instances: 2, connections: CLIENTS } });

    // Two questions each, all answered.
    for (const k of [1, 2]) await Promise.all(users.map((u) => ask(u, `${u.name}-q${k}`, `${u.name} の質問${k}: おすすめの少年マンガは？`)));
    // A revision reaches a client on each gateway.
    for (const user of [onFirst[0]!, onSecond[0]!]) {
      const frames = await ask(user, `${user.name}-leak`, `${user.name}: ${LEAK}番号は？`);
      expect(frames.filter((f) => f.type === 'token').map((f) => (f as { text: string }).text).join('')).toContain('090-1234-5678');
      expect((await revisionFor(user, `${user.name}-leak`)).type).toBe('revision');
    }

    // Everyone asks a third question; once every client is reading its answer, gateway 1 dies.
    for (const u of users) u.client.sendRaw(JSON.stringify({ action: 'sendMessage', requestId: `${u.name}-q3`, text: `${u.name} の質問3: 新刊はある？${HOLD}` }));
    const streaming = (u: User) => u.client.frames.some((f) => f.type === 'token' && f.requestId === `${u.name}-q3`);
    await waitFor(() => users.every(streaming), {
      timeoutMs: HOLD_MS - 2000,
      intervalMs: 20,
      description: 'every third answer streaming',
    }).catch((error: Error) => {
      const waiting = users.filter((u) => !streaming(u)).map((u) => u.client.frames.filter((f) => 'requestId' in f && f.requestId === `${u.name}-q3`));
      throw new Error(`${error.message}: ${waiting.length} not streaming; their frames: ${JSON.stringify(waiting.slice(0, 3))}`);
    });
    const killed = await system.processAt(first).stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    // Its clients see the socket close, never a `done` for the answer they were reading.
    await Promise.all(onFirst.map((u) => within(u.client.closed, 5000, `${u.name}'s socket closing`)));
    for (const u of onFirst) expect(u.client.frames.some((f) => f.type === 'done' && f.requestId === `${u.name}-q3`)).toBe(false);
    // The other gateway's clients get theirs.
    await Promise.all(
      onSecond.map(async (u) => {
        expect((await u.client.framesFor(`${u.name}-q3`, 20_000)).at(-1)).toMatchObject({ type: 'done' });
        u.done.push(`${u.name}-q3`);
      }),
    );

    // Reconnected through HAProxy: the other gateway, the same session.
    await Promise.all(
      onFirst.map(async (u) => {
        u.client = await reconnect(u);
        expect(u.client.ready.sessionId).toBe(u.sessionId);
      }),
    );
    expect(new Set(await Promise.all(onFirst.map((u) => instanceOf(u.client))))).toEqual(new Set(['chat-gateway-2']));
    // Everyone asks a follow-up; a revision reaches a client that moved.
    await Promise.all(users.map((u) => ask(u, `${u.name}-q4`, `${u.name} の質問4: その続きは？`)));
    const moved = onFirst[1]!;
    await ask(moved, `${moved.name}-leak2`, `${moved.name}: ${LEAK}は？`);
    expect((await revisionFor(moved, `${moved.name}-leak2`)).type).toBe('revision');

    // Once both post-processors have drained every queue: each answered question is one turn of
    // its session, numbered 1..n, none twice; the interrupted ones are absent.
    const answered = users.reduce((n, u) => n + u.done.length, 0);
    const updates = queues.get('session-update');
    await waitFor(
      async () => {
        const counts = await Promise.all(QUEUE_NAMES.map((q) => queues.get(q).getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
        const pending = counts.reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
        return pending === 0 && (await updates.getCompletedCount()) === answered;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: `${answered} session updates completed` },
    );
    const completed = (await updates.getJobs(['completed'], 0, -1)) as Job<SessionUpdateJob>[];
    expect(completed).toHaveLength(answered);
    expect(completed.every((j) => (j.attemptsStarted ?? 1) === 1)).toBe(true);
    expect(await updates.getFailedCount()).toBe(0);
    expect(await queues.get('dead-letter').getWaitingCount()).toBe(0);

    const dynamo = createDynamoClient({ region: 'ap-northeast-1', endpoint: system.dynamoEndpoint });
    const turnsTable = tableDefinitions(system.tablePrefix).turns.TableName;
    try {
      for (const u of users) {
        const rows = await dynamo.send(new QueryCommand({ TableName: turnsTable, KeyConditionExpression: 'sessionId = :s', ExpressionAttributeValues: { ':s': { S: u.sessionId } } }));
        const items = rows.Items ?? [];
        expect(items.map((i) => i['requestId']?.S).sort()).toEqual([...u.done].sort());
        expect(items.map((i) => Number(i['seq']?.N))).toEqual(u.done.map((_, i) => i + 1));
      }
    } finally {
      dynamo.destroy();
    }

    // Cron slots: each ran once across the two schedulers, and both took part.
    const runs = (await redis.lrange(`${system.keyPrefix}scheduler:runs`, 0, -1)).map((l) => JSON.parse(l) as { task: string; slot: string; instance: string });
    const perSlot = new Map<string, number>();
    for (const run of runs) perSlot.set(`${run.task} ${run.slot}`, (perSlot.get(`${run.task} ${run.slot}`) ?? 0) + 1);
    expect([...perSlot.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(runs.filter((r) => !r.slot.startsWith('startup')).length).toBeGreaterThanOrEqual(8);
    expect(new Set(runs.map((r) => r.instance))).toEqual(new Set(['prefetch-scheduler-1', 'prefetch-scheduler-2']));
    // The registry has swept the dead gateway: the ops status counts one instance holding every client.
    expect((await waitFor(async () => {
      const { gateways } = await opsStatus();
      return (gateways as { instances: number }).instances === 1 ? gateways : null;
    }, { timeoutMs: 10_000, intervalMs: 250, description: 'one gateway left in the registry' }))).toEqual({ instances: 1, connections: CLIENTS });
    expect(await redis.exists(`${system.keyPrefix}instance:chat-gateway-1:conns`)).toBe(0);
    process.stdout.write(`failover: ${onFirst.length} clients moved, ${onSecond.length} stayed, ${answered} answers stored once each\n`);
  });
});

/** `promise`, or a rejection naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
