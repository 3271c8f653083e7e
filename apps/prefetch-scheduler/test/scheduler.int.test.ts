// The scheduler as operators run it: several replicas against one Redis, each slot run once, and a
// fresh system whose most common questions are answered from the cache on the first ask.
import { Redis } from 'ioredis';
import { loadCatalog } from '@manga-assist/catalog';
import type { DoneFrame, SchedulerStatus, ServerFrame } from '@manga-assist/contracts';
import { ChatClient, TEST_CONTROL_TOKEN, startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import { testRedisUrl } from '@manga-assist/testing';

jest.setTimeout(240_000);

const done = (frames: ServerFrame[]) => frames.find((f): f is DoneFrame => f.type === 'done');
const EVERY_2_SECONDS = '*/2 * * * * *';

describe('two scheduler replicas against one Redis', () => {
  let system: TestSystem;
  const redis = new Redis(testRedisUrl());

  beforeAll(async () => {
    const fast = { CRON: EVERY_2_SECONDS, TTL_S: '60' };
    const env: Record<string, string> = { TOP_TITLES_COUNT: '3', LOCAL_HAIKU_FIRST_TOKEN_MS: '0', LOCAL_SONNET_FIRST_TOKEN_MS: '0' };
    for (const prefix of ['TRENDING', 'NEW_RELEASES', 'GENRES', 'TOP_TITLES']) {
      env[`${prefix}_CRON`] = fast.CRON;
      env[`${prefix}_TTL_S`] = fast.TTL_S;
    }
    system = await startTestSystem({ apps: ['prefetch-scheduler'], env: { ...env, INSTANCE_ID: 'replica-a' } });
    await system.spawn('prefetch-scheduler', { INSTANCE_ID: 'replica-b' });
  });
  afterAll(async () => {
    await system?.stop();
    redis.disconnect();
  });

  it('runs each task exactly once per slot', async () => {
    await new Promise((r) => setTimeout(r, 9000));
    const log = (await redis.lrange(`${system.keyPrefix}scheduler:runs`, 0, -1)).map(
      (line) => JSON.parse(line) as { task: string; slot: string; instance: string },
    );
    const perSlot = new Map<string, string[]>();
    for (const run of log) {
      const key = `${run.task} ${run.slot}`;
      perSlot.set(key, [...(perSlot.get(key) ?? []), run.instance]);
    }
    const doubled = [...perSlot.entries()].filter(([, instances]) => instances.length > 1);
    expect(doubled).toEqual([]);
    for (const task of ['trending', 'new-releases', 'genres', 'top-titles']) {
      const slots = [...perSlot.keys()].filter((k) => k.startsWith(`${task} `) && !k.includes('startup'));
      expect(slots.length).toBeGreaterThanOrEqual(2);
    }
    // Both replicas took part.
    expect(new Set(log.map((r) => r.instance))).toEqual(new Set(['replica-a', 'replica-b']));
  });

  it('reports each task over tRPC and warms one on demand with the control token', async () => {
    const url = `${system.urls['prefetch-scheduler']}/trpc`;
    const status = (await (await fetch(`${url}/status`)).json()) as { result: { data: SchedulerStatus } };
    expect(status.result.data.tasks.map((t) => t.name)).toEqual(['trending', 'new-releases', 'genres', 'top-titles']);
    expect(status.result.data.tasks[0]).toMatchObject({ schedule: EVERY_2_SECONDS, ttlSeconds: 60 });
    expect(status.result.data.tasks.every((t) => t.nextRun !== null)).toBe(true);

    const post = (headers: Record<string, string>) =>
      fetch(`${url}/warmNow`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ task: 'genres' }) });
    expect((await post({})).status).toBe(401);
    const warmed = (await (await post({ authorization: `Bearer ${TEST_CONTROL_TOKEN}` })).json()) as { result: { data: { lastEntries: number } } };
    expect(warmed.result.data.lastEntries).toBeGreaterThan(0);
  });
});

describe('a freshly started system', () => {
  let system: TestSystem;
  let client: ChatClient;
  let topTitle = '';

  beforeAll(async () => {
    const catalog = await loadCatalog();
    topTitle = [...catalog.items].sort((a, b) => b.synthetic.weeklySales - a.synthetic.weeklySales || (a.id < b.id ? -1 : 1))[0]!.title;
    system = await startTestSystem({ apps: ['prefetch-scheduler', 'chat-gateway'], env: { TOP_TITLES_COUNT: '10' } });
    client = await ChatClient.connect(`${system.urls['chat-gateway']!.replace('http', 'ws')}/ws`, { token: await system.token('u-scheduler') });
  });
  afterAll(async () => {
    client?.close();
    await system?.stop();
  });

  it.each([['trending manga'], ['新刊'], ['show me seinen']])('answers "%s" from the cache on the first ask', async (question) => {
    const frames = await client.ask(question);
    expect(done(frames)).toMatchObject({ cached: true, model: 'cache' });
  });

  it('answers the name of a top title from the cache on the first ask', async () => {
    const frames = await client.ask(topTitle);
    expect(done(frames)).toMatchObject({ cached: true, intent: 'title_lookup' });
  });
});
