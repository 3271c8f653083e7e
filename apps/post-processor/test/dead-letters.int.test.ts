// Jobs that used up their attempts, as an operator sees them through the control procedures.
import { randomBytes } from 'node:crypto';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { TRPCClientError } from '@trpc/client';
import type { AnsweredJob, SessionUpdateJob } from '@manga-assist/contracts';
import { jobIdFor } from '@manga-assist/queue';
import { createServiceClient } from '@manga-assist/rpc';
import type { PostProcessorRouter } from '@manga-assist/rpc';
import { waitFor } from '@manga-assist/testing';
import { CONTROL_TOKEN, startPostProcessorSystem } from './post-processor-system';
import type { PostProcessorSystem } from './post-processor-system';

jest.setTimeout(120_000);

const turn = (sessionId: string, userId: string, seq: number): SessionUpdateJob => ({
  traceId: randomBytes(16).toString('hex'),
  sessionId,
  userId,
  turn: { seq, requestId: `r${seq}`, user: '新刊は？', assistant: '…', intent: 'new_releases', at: new Date().toISOString() },
  titleIds: [],
});

describe('dead letters', () => {
  let system: PostProcessorSystem;
  let operator: ReturnType<typeof createServiceClient<PostProcessorRouter>>;
  let anyone: ReturnType<typeof createServiceClient<PostProcessorRouter>>;

  beforeAll(async () => {
    system = await startPostProcessorSystem();
    system.start();
    await system.ready();
    operator = createServiceClient<PostProcessorRouter>({ baseUrl: system.url, controlToken: CONTROL_TOKEN, timeoutMs: 5000 });
    anyone = createServiceClient<PostProcessorRouter>({ baseUrl: system.url, timeoutMs: 5000 });
  });
  afterAll(() => system?.stop());

  const metric = async (line: RegExp) => (await (await fetch(`${system.url}/metrics`)).text()).match(line)?.[1];

  it('moves a job that fails every attempt to the dead-letter queue, with its attempts, and retries it once the cause is fixed', async () => {
    // The session belongs to alice; a turn for bob cannot be stored however often it is tried.
    // (Alice's turn is stored first: run side by side, either could claim the session.)
    const first = turn('shared-session', 'alice', 1);
    system.producer.enqueue('session-update', first);
    await waitFor(async () => (await system.queues.get('session-update').getJobState(jobIdFor('session-update', first))) === 'completed', { timeoutMs: 10_000 });
    const stuck = turn('shared-session', 'bob', 2);
    system.producer.enqueue('session-update', stuck);

    const id = `session-update.${jobIdFor('session-update', stuck)}`;
    const page = await waitFor(
      async () => {
        const p = await operator.deadLetters.list.query({});
        return p.total === 1 ? p : null;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: 'a dead letter' },
    );
    const [letter] = page.items;
    expect(letter).toMatchObject({ id, queue: 'session-update', reason: 'attempts_exhausted', payload: stuck });
    expect(letter!.error).toMatch(/belongs to another user/);
    expect(letter!.attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(await anyone.deadLetters.counts.query()).toEqual({ total: 1, byQueue: { 'session-update': 1 } });
    expect(await metric(/^manga_assist_jobs_dead_lettered_total\{queue="session-update",app="post-processor"\} (\d+)$/m)).toBe('1');
    expect(await metric(/^manga_assist_queue_depth\{queue="dead-letter",state="waiting",app="post-processor"\} (\d+)$/m)).toBe('1');

    // The operator removes the conflicting session, then retries: the job runs again under its own id.
    await system.dynamo.send(new DeleteItemCommand({ TableName: system.tables.sessions.TableName, Key: { sessionId: { S: 'shared-session' } } }));
    await system.redis.del(`${system.keyPrefix}session:shared-session`);
    expect(await operator.deadLetters.retry.mutate({ ids: [id] })).toEqual({ retried: [id], missing: [], rejected: [] });
    await waitFor(async () => (await system.queues.get('session-update').getJobState(jobIdFor('session-update', stuck))) === 'completed', {
      timeoutMs: 10_000,
      description: 'retried job completed',
    });
    expect(await anyone.deadLetters.counts.query()).toEqual({ total: 0, byQueue: {} });
  });

  it('dead-letters a job derived from an answer in its own queue, while the fan-out and the other jobs complete', async () => {
    const first = turn('answered-session', 'alice', 1);
    system.producer.enqueue('session-update', first);
    await waitFor(async () => (await system.queues.get('session-update').getJobState(jobIdFor('session-update', first))) === 'completed', { timeoutMs: 10_000 });
    const traceId = randomBytes(16).toString('hex');
    const at = new Date().toISOString();
    const question = '新刊は？';
    const answer = '今月の新刊はこちらです。';
    const answered: AnsweredJob = {
      traceId,
      at,
      requestId: 'r2',
      question,
      answer,
      model: 'haiku',
      sessionId: 'answered-session',
      userId: 'bob',
      connectionId: null,
      intent: 'new_releases',
      titleIds: [],
      scope: { intent: 'new_releases', filters: {}, titleIds: [], language: 'ja' },
      cacheTtlSeconds: 3600,
      timings: {},
      degraded: [],
      turn: { seq: 2, requestId: 'r2', user: question, assistant: answer, intent: 'new_releases', at },
    };
    system.producer.enqueue('answered-batch', { batchId: traceId, answers: [answered] });

    const id = `session-update.session-update.${traceId}`;
    const page = await waitFor(
      async () => {
        const p = await operator.deadLetters.list.query({});
        return p.total === 1 ? p : null;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: 'a dead letter' },
    );
    expect(page.items[0]).toMatchObject({ id, queue: 'session-update', reason: 'attempts_exhausted', payload: { traceId, userId: 'bob', turn: { seq: 2 } } });
    expect(await system.queues.get('answered-batch').getJobState(`answered-batch.${traceId}`)).toBe('completed');
    for (const queue of ['cache-write', 'guardrail-check', 'analytics', 'audit'] as const) {
      await waitFor(async () => (await system.queues.get(queue).getJobState(`${queue}.${traceId}`)) === 'completed', { timeoutMs: 10_000, description: `${queue} completed` });
    }
    expect(await operator.deadLetters.purge.mutate({ ids: [id] })).toEqual({ purged: 1 });
  });

  it('dead-letters a payload that breaks its schema at once, without retrying it, and purges it', async () => {
    // Straight into the queue, as an older producer might have: the worker's parse rejects it.
    await system.queues.get('audit').add('audit', { traceId: 'not-hex' }, { jobId: 'audit.from-an-old-producer', attempts: 5 });
    const page = await waitFor(
      async () => {
        const p = await operator.deadLetters.list.query({ queue: 'audit' });
        return p.total === 1 ? p : null;
      },
      { timeoutMs: 10_000, intervalMs: 100, description: 'a dead letter' },
    );
    expect(page.items[0]).toMatchObject({ reason: 'unrecoverable', attempts: [{ attempt: 1 }] });
    expect(page.items[0]!.error).toMatch(/invalid audit payload/);
    const retry = await operator.deadLetters.retry.mutate({ ids: ['audit.audit.from-an-old-producer'] });
    expect(retry.rejected).toHaveLength(1);
    expect(await operator.deadLetters.purge.mutate({ queue: 'audit' })).toEqual({ purged: 1 });
    expect(await system.queues.get('audit').getJob('audit.from-an-old-producer')).toBeUndefined();
  });

  it('shows counts to anyone but payloads, retries and purges only to holders of the control token', async () => {
    const refused = async (call: Promise<unknown>) => {
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<PostProcessorRouter>).data?.httpStatus).toBe(401);
    };
    await refused(anyone.deadLetters.list.query({}));
    await refused(anyone.deadLetters.retry.mutate({ ids: ['x'] }));
    await refused(anyone.deadLetters.purge.mutate({ all: true }));
    await expect(anyone.deadLetters.counts.query()).resolves.toMatchObject({ total: 0 });
  });
});
