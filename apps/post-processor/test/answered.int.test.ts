// The gateway's answers, fanned out into the kinds' own queues, against the real Redis.
import { randomBytes } from 'node:crypto';
import type { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { AnsweredBatchJobSchema } from '@manga-assist/contracts';
import type { AnsweredJob } from '@manga-assist/contracts';
import { QUEUE_SETTINGS, createJobProducer, createJobWorker, createQueueSet, jobIdFor, jobOptionsFor } from '@manga-assist/queue';
import type { JobProducer, QueueName, QueueSet } from '@manga-assist/queue';
import { createTestLogger, deleteKeysWithPrefix, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import { answerJobs } from '../src/answer-jobs';
import { createAnsweredBatchJob } from '../src/answered.job';

jest.setTimeout(30_000);

const DERIVED = ['cache-write', 'guardrail-check', 'analytics', 'audit', 'session-update'] as const;

function answered(over: Partial<AnsweredJob> = {}): AnsweredJob {
  const at = new Date().toISOString();
  return {
    traceId: randomBytes(16).toString('hex'),
    at,
    requestId: 'r-1',
    question: '今週の人気マンガは？',
    answer: '『ワンピース』が人気です。',
    model: 'haiku',
    sessionId: 's-1',
    userId: 'u-1',
    connectionId: 'c-1',
    intent: 'trending',
    titleIds: ['T1'],
    scope: { intent: 'trending', filters: {}, titleIds: ['T1'], language: 'ja' },
    cacheTtlSeconds: 900,
    timings: { intent: 0.3, 'fm-total': 700 },
    degraded: [],
    turn: { seq: 1, requestId: 'r-1', user: '今週の人気マンガは？', assistant: '『ワンピース』が人気です。', intent: 'trending', at },
    ...over,
  };
}

/** The gateway's hand-over of these answers. */
const batchOf = (...answers: AnsweredJob[]) => ({ batchId: answers[0]!.traceId, answers });

describe('answered fan-out', () => {
  const prefix = uniquePrefix('answered').replace(/:$/, '');
  const redis = new Redis(testRedisUrl());
  let queues: QueueSet;
  let producer: JobProducer;
  let batchWorker: Worker;

  beforeAll(() => {
    queues = createQueueSet({ redisUrl: testRedisUrl(), prefix });
    producer = createJobProducer({ redisUrl: testRedisUrl(), prefix, log: createTestLogger() });
    batchWorker = createJobWorker('answered-batch', createAnsweredBatchJob({ queues }), { redisUrl: testRedisUrl(), prefix });
    void batchWorker.run();
  });
  afterAll(async () => {
    await batchWorker.close();
    await producer.close();
    await queues.close();
    await deleteKeysWithPrefix(redis, `${prefix}:`);
    redis.disconnect();
  });

  /** The jobs of one trace in a queue, whatever their state (no worker drains the derived queues here). */
  const jobsOf = async (queue: QueueName, traceId: string) => {
    const jobs: Job[] = await queues.get(queue).getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
    return jobs.filter((j) => j.id?.endsWith(traceId));
  };

  it('turns one answer into its five jobs, each under its own id and with its queue options', async () => {
    const job = answered();
    producer.enqueue('answered-batch', batchOf(job));
    const answeredId = jobIdFor('answered-batch', batchOf(job));
    expect(answeredId).toBe(`answered-batch.${job.traceId}`);
    await waitFor(async () => (await queues.get('answered-batch').getJobState(answeredId)) === 'completed', { timeoutMs: 10_000, description: 'answered-batch job completed' });

    const expected = answerJobs(job);
    expect(expected.map((j) => j.name)).toEqual([...DERIVED]);
    for (const derived of expected) {
      const found = await jobsOf(derived.name, job.traceId);
      expect(found.map((j) => j.id)).toEqual([`${derived.name}.${job.traceId}`]);
      // Each derived job carries the lineage of a job from the edge.
      expect(found[0]!.data).toEqual({ ...JSON.parse(JSON.stringify(derived.data)), chainDepth: 0, processingStage: 'raw' });
      expect(found[0]!.opts).toMatchObject({ attempts: QUEUE_SETTINGS[derived.name].attempts, backoff: jobOptionsFor(derived.name, 'x').backoff });
    }
    expect((await queues.get('answered-batch').getJob(answeredId))?.returnvalue).toEqual({ jobIds: DERIVED.map((q) => `${q}.${job.traceId}`) });
  });

  it('adds nothing twice when the fan-out runs again, or runs after a partial add', async () => {
    const job = answered();
    const fanOut = createAnsweredBatchJob({ queues });
    // A fan-out that stopped after its first queue: the audit job is already there.
    const audit = answerJobs(job).find((j) => j.name === 'audit')!;
    await queues.get('audit').add('audit', audit.data, jobOptionsFor('audit', jobIdFor('audit', audit.data)));

    await fanOut(AnsweredBatchJobSchema.parse(batchOf(job)), {} as Job);
    await fanOut(AnsweredBatchJobSchema.parse(batchOf(job)), {} as Job);
    for (const queue of DERIVED) expect(await jobsOf(queue, job.traceId)).toHaveLength(1);
  });

  it('hands a cached answer on without a cache write or a second guardrail check', async () => {
    const job = answered({ model: 'cache', cacheTtlSeconds: 0 });
    producer.enqueue('answered-batch', batchOf(job));
    await waitFor(async () => (await queues.get('answered-batch').getJobState(jobIdFor('answered-batch', batchOf(job)))) === 'completed', { timeoutMs: 10_000 });
    const counts = await Promise.all(DERIVED.map(async (q) => [q, (await jobsOf(q, job.traceId)).length] as const));
    expect(Object.fromEntries(counts)).toEqual({ 'cache-write': 0, 'guardrail-check': 0, analytics: 1, audit: 1, 'session-update': 1 });
    expect((await jobsOf('analytics', job.traceId))[0]!.data).toMatchObject({ model: 'cache', cached: true });
  });

  it('fans out every answer of a batch, each turn with the number the gateway gave it', async () => {
    const first = answered({ turn: { ...answered().turn, seq: 7 } });
    const second = answered({ model: 'cache', cacheTtlSeconds: 0, turn: { ...answered().turn, seq: 8 } });
    const batch = { batchId: first.traceId, answers: [first, second] };
    producer.enqueue('answered-batch', batch);
    expect(jobIdFor('answered-batch', batch)).toBe(`answered-batch.${first.traceId}`);
    await waitFor(async () => (await queues.get('answered-batch').getJobState(jobIdFor('answered-batch', batch))) === 'completed', { timeoutMs: 10_000 });

    for (const job of [first, second]) {
      for (const derived of answerJobs(job)) expect(await jobsOf(derived.name, job.traceId)).toHaveLength(1);
    }
    expect(await jobsOf('cache-write', second.traceId)).toHaveLength(0);
    // Each turn reaches the session-update queue with the number the gateway gave it.
    const seqOf = async (job: AnsweredJob) => ((await jobsOf('session-update', job.traceId))[0]!.data as { turn: { seq: number } }).turn.seq;
    expect([await seqOf(first), await seqOf(second)]).toEqual([7, 8]);

    // Run again (a retry after a partial add): nothing is added twice.
    const countAll = async () => Promise.all(DERIVED.flatMap((queue) => [first, second].map(async (job) => (await jobsOf(queue, job.traceId)).length)));
    const before = await countAll();
    await createAnsweredBatchJob({ queues })(AnsweredBatchJobSchema.parse(batch), {} as Job);
    expect(await countAll()).toEqual(before);
  });
});
