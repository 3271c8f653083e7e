// Long analyses as jobs, end to end with the gateway and the post-processor as real processes (on
// dynalite and the machine's Redis): the 202 and its status monitor, polling, Idempotency-Key,
// owner-only reads, typed errors, cancel, the WebSocket stream, and a post-processor SIGKILLed
// mid-analysis whose job another one finishes, once.
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { analysisChannel } from '@manga-assist/analyses';
import { startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import type { AnalysisServerFrame, Operation } from '@manga-assist/contracts';
import { createQueueSet } from '@manga-assist/queue';
import type { QueueSet } from '@manga-assist/queue';
import { testRedisUrl, waitFor } from '@manga-assist/testing';

jest.setTimeout(60_000);

// Long enough to cancel or kill mid-run, short enough to keep this file quick.
const ANALYSIS_MS = 3000;
const TITLES = ['進撃の巨人', 'ワンピース'];

describe('long analyses as jobs', () => {
  let system: TestSystem;
  let gateway: string;
  let alice: string;
  let bob: string;
  let queues: QueueSet;
  /** The result of the first compare of TITLES: the local model writes the same analysis for the same rows. */
  let compareText = '';

  beforeAll(async () => {
    system = await startTestSystem({
      apps: ['chat-gateway', 'post-processor'],
      env: {
        LOCAL_MODEL_ANALYSIS_MS: String(ANALYSIS_MS),
        ANALYSIS_PROGRESS_MS: '200',
        // A killed worker's job is handed over about 3 s after the kill.
        WORKER_LOCK_MS: '3000',
        WORKER_STALLED_INTERVAL_MS: '1000',
      },
    });
    gateway = system.urls['chat-gateway']!;
    [alice, bob] = await Promise.all([system.token('alice'), system.token('bob')]);
    queues = createQueueSet({ redisUrl: testRedisUrl(), prefix: system.queuePrefix });
  });
  let subscriber: Redis | undefined;
  afterAll(async () => {
    subscriber?.disconnect();
    await queues?.close();
    await system?.stop();
  });

  const post = (token: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway}/v1/analyze`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const read = (token: string, url: string, method = 'GET') => fetch(url, { method, headers: { authorization: `Bearer ${token}` } });
  const poll = async (token: string, url: string, until: (op: Operation) => boolean, timeoutMs = 30_000) => {
    const seen: Operation[] = [];
    await waitFor(
      async () => {
        const op = (await (await read(token, url)).json()) as Operation;
        seen.push(op);
        return until(op);
      },
      { timeoutMs, intervalMs: 100, description: `operation state (last: ${JSON.stringify(seen.at(-1)?.status)})` },
    );
    return seen;
  };
  /** The post-processor's count of analyses it ended with `outcome`. */
  const analysesEnded = async (url: string, outcome: string) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const found = text.split('\n').find((l) => l.startsWith('manga_assist_analyses_total{') && l.includes(`outcome="${outcome}"`));
    return found ? Number(found.split(' ').pop()) : 0;
  };

  it('answers 202 with the monitor at once, and polling shows it run and succeed; another user learns nothing', async () => {
    const res = await post(alice, { kind: 'compare', titles: TITLES, question: 'どちらが初心者向け？' });
    expect(res.status).toBe(202);
    const location = res.headers.get('operation-location')!;
    const created = (await res.json()) as Operation;
    expect(location).toBe(`${gateway}/v1/analyze/${created.id}`);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(created).toMatchObject({ kind: 'compare', titles: TITLES, status: 'NotStarted', progress: { percent: 0 } });
    // Kept 24 h (expiresAt is whole seconds, as DynamoDB's TTL reads it).
    expect(Math.abs(Date.parse(created.expiresAt) - Date.parse(created.createdAt) - 24 * 3600 * 1000)).toBeLessThan(1000);

    // Bob gets the same answer as for an id that does not exist.
    const foreign = await read(bob, location);
    const missing = await read(bob, `${gateway}/v1/analyze/00000000-0000-4000-8000-000000000000`);
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ type: 'error', code: 'not_found', message: `no analysis ${created.id}` });
    expect(missing.status).toBe(404);
    expect((await read(bob, location, 'DELETE')).status).toBe(404);

    const seen = await poll(alice, location, (op) => op.status === 'Succeeded');
    const statuses = [...new Set(seen.map((op) => op.status))];
    expect(statuses).toContain('Running');
    expect(statuses.at(-1)).toBe('Succeeded');
    const running = seen.filter((op) => op.status === 'Running').map((op) => op.progress.percent);
    expect(running.some((p) => p > 5 && p < 100)).toBe(true);
    const done = seen.at(-1)!;
    expect(done.progress.percent).toBe(100);
    expect(done.attempts).toBe(1);
    expect(done.result!.model).toBe('sonnet');
    expect(done.result!.text.length).toBeGreaterThan(20);
    expect(done.result!.products.some((p) => p.title.includes('進撃の巨人'))).toBe(true);
    expect(done.result!.text).toContain('進撃の巨人');
    compareText = done.result!.text;
    const final = await read(alice, location);
    expect(final.headers.get('retry-after')).toBeNull();
  });

  it('returns the same operation for a retried POST with the same Idempotency-Key, and refuses the key for another request', async () => {
    const body = { kind: 'series-deep-dive', titles: ['進撃の巨人'] };
    const first = await post(alice, body, { 'idempotency-key': 'deep-dive-1' });
    const again = await post(alice, body, { 'idempotency-key': 'deep-dive-1' });
    expect([first.status, again.status]).toEqual([202, 202]);
    const [a, b] = [(await first.json()) as Operation, (await again.json()) as Operation];
    expect(b.id).toBe(a.id);
    expect(again.headers.get('operation-location')).toBe(first.headers.get('operation-location'));
    // Bob's request under the same key is his own operation.
    const bobs = (await (await post(bob, body, { 'idempotency-key': 'deep-dive-1' })).json()) as Operation;
    expect(bobs.id).not.toBe(a.id);
    const reused = await post(alice, { ...body, titles: ['ワンピース'] }, { 'idempotency-key': 'deep-dive-1' });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ type: 'error', code: 'idempotency_key_reused' });
    // One job for the one operation, and none for the refused request.
    const jobs = await queues.get('analysis').getJobs(['waiting', 'active', 'completed', 'delayed']);
    expect(jobs.filter((j) => (j.data as { operationId: string }).operationId === a.id)).toHaveLength(1);
    expect(jobs.filter((j) => (j.data as { userId: string }).userId === 'alice' && j.id !== `analysis.${a.id}`).every((j) => (j.data as { titles: string[] }).titles.length === 2)).toBe(true);
  });

  it('refuses bad input with typed errors and stores nothing', async () => {
    const waitingBefore = await queues.get('analysis').getJobCountByTypes('waiting', 'active', 'completed');
    const cases: [unknown, string][] = [
      [{ kind: 'compare', titles: ['進撃の巨人'] }, 'titles: compare needs at least two titles'],
      [{ kind: 'summary', titles: TITLES }, 'kind'],
      [{ kind: 'compare', titles: [] }, 'titles'],
      [{ kind: 'compare', titles: TITLES, extra: 1 }, 'extra'],
    ];
    for (const [body, mentions] of cases) {
      const res = await post(alice, body);
      expect(res.status).toBe(400);
      const error = (await res.json()) as { code: string; message: string };
      expect(error.code).toBe('invalid_request');
      expect(error.message).toContain(mentions);
    }
    const broken = await fetch(`${gateway}/v1/analyze`, { method: 'POST', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' }, body: '{"kind":' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ type: 'error', code: 'invalid_json' });
    const anonymous = await fetch(`${gateway}/v1/analyze`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'compare', titles: TITLES }) });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect((await read(alice, `${gateway}/v1/analyze/not-an-id`)).status).toBe(404);
    expect(await queues.get('analysis').getJobCountByTypes('waiting', 'active', 'completed')).toBe(waitingBefore);
  });

  it('cancels a running analysis: the worker stops and no result is ever stored', async () => {
    const processor = system.urls['post-processor']!;
    const canceledBefore = await analysesEnded(processor, 'canceled');
    const res = await post(alice, { kind: 'compare', titles: TITLES });
    const location = res.headers.get('operation-location')!;
    await poll(alice, location, (op) => op.status === 'Running' && op.progress.tokens > 0);
    const canceled = await read(alice, location, 'DELETE');
    expect(canceled.status).toBe(200);
    expect(await canceled.json()).toMatchObject({ status: 'Canceled' });
    await waitFor(async () => (await analysesEnded(processor, 'canceled')) === canceledBefore + 1, {
      timeoutMs: 5000,
      description: 'the worker stopped the canceled analysis',
    });
    const again = await read(alice, location, 'DELETE');
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'not_cancelable', operation: { status: 'Canceled' } });
    // Well past the time the analysis would have taken: still canceled, no result.
    await new Promise((r) => setTimeout(r, ANALYSIS_MS));
    const after = (await (await read(alice, location)).json()) as Operation;
    expect(after.status).toBe('Canceled');
    expect(after.result).toBeUndefined();
  });

  it('streams progress, tokens and done over the WebSocket', async () => {
    const frames: AnalysisServerFrame[] = [];
    const socket = new WebSocket(`${gateway.replace('http', 'ws')}/ws`, { headers: { authorization: `Bearer ${alice}` } });
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as AnalysisServerFrame));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ action: 'analyze', requestId: 'a1', kind: 'series-deep-dive', titles: ['進撃の巨人'] }));
    socket.send(JSON.stringify({ action: 'analyze', requestId: 'a2', kind: 'compare', titles: ['進撃の巨人'] }));
    await waitFor(() => frames.some((f) => f.type === 'done' && f.requestId === 'a1'), { timeoutMs: 30_000, description: 'done frame' });
    socket.close();

    const mine = frames.filter((f) => 'requestId' in f && f.requestId === 'a1');
    const progress = mine.filter((f) => f.type === 'progress');
    const done = mine.at(-1)!;
    expect(mine[0]).toMatchObject({ type: 'progress', status: 'NotStarted' });
    expect(progress.some((f) => f.type === 'progress' && f.status === 'Running' && f.progress.tokens > 0)).toBe(true);
    expect(done).toMatchObject({ type: 'done', status: 'Succeeded' });
    if (done.type !== 'done') throw new Error('no done frame');
    // The tokens, joined, are the stored result, which a poll of the operation returns too.
    const streamed = mine.filter((f) => f.type === 'token').map((f) => (f.type === 'token' ? f.text : '')).join('');
    expect(streamed).toBe(done.result!.text);
    const polled = (await (await read(alice, `${gateway}/v1/analyze/${done.operationId}`)).json()) as Operation;
    expect(polled.result!.text).toBe(streamed);
    expect(mine.filter((f) => f.type === 'token').length).toBeGreaterThan(1);
    // The bad request got a typed error frame of its own.
    expect(frames.find((f) => 'requestId' in f && f.requestId === 'a2')).toMatchObject({ type: 'error', code: 'invalid_frame' });
  });

  it('finishes, once, an analysis whose post-processor was SIGKILLed mid-run', async () => {
    subscriber = new Redis(testRedisUrl());
    const res = await post(alice, { kind: 'compare', titles: TITLES });
    const location = res.headers.get('operation-location')!;
    const { id } = (await res.json()) as Operation;
    const doneEvents: string[] = [];
    subscriber.on('message', (_channel, message: string) => {
      if ((JSON.parse(message) as { type: string }).type === 'done') doneEvents.push(message);
    });
    await subscriber.subscribe(analysisChannel(system.keyPrefix, id));
    await poll(alice, location, (op) => op.status === 'Running' && op.progress.tokens > 0);

    const first = system.processes.find((p) => p.child.spawnargs.some((a) => a.includes('post-processor')))!;
    expect((await first.stop('SIGKILL')).signal).toBe('SIGKILL');
    const second = await system.spawn('post-processor');

    const seen = await poll(alice, location, (op) => op.status === 'Succeeded', 40_000);
    const done = seen.at(-1)!;
    expect(done.attempts).toBe(2);
    const job = await queues.get('analysis').getJob(`analysis.${id}`);
    expect(await job!.getState()).toBe('completed');
    expect(job!.attemptsStarted).toBe(2);
    expect(await queues.get('dead-letter').getWaitingCount()).toBe(0);
    // One result stored and announced, by the process that finished it.
    expect(await analysesEnded(second.url, 'succeeded')).toBe(1);
    await waitFor(() => doneEvents.length >= 1, { timeoutMs: 2000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(doneEvents).toHaveLength(1);
    // A re-run is not a second result: the text is one analysis, not the lost attempt's start and a whole one.
    expect(done.result!.text).toBe(compareText);
  });
});
