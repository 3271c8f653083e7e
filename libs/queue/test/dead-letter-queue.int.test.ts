import { randomBytes } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import type { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { AuditJob } from '@manga-assist/contracts';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import { LoopGuardError, createDeadLetterQueue, createJobWorker, createQueueSet, deadLetterIdFor, isFinalFailure, jobIdFor, jobOptionsFor } from '../src';
import type { QueueSet } from '../src';

const auditJob = (): AuditJob => ({
  traceId: randomBytes(16).toString('hex'),
  sessionId: 's-1',
  requestId: 'r-1',
  question: '今週の人気マンガは？',
  answer: '…',
  model: 'haiku',
  at: new Date().toISOString(),
});

describe('dead-letter queue', () => {
  const prefix = uniquePrefix('dlq').replace(/:$/, '');
  const redis = new Redis(testRedisUrl());
  let queues: QueueSet;
  const workers: Worker[] = [];

  beforeAll(() => {
    queues = createQueueSet({ redisUrl: testRedisUrl(), prefix });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await queues.close();
    await deleteKeysWithPrefix(redis, `${prefix}:`);
    redis.disconnect();
  });

  /** A worker whose handler does what `behave` says, recording each job's final failure. */
  function failingWorker(behave: () => Promise<unknown>, finals: { job: Job; error: Error }[]) {
    const worker = createJobWorker('audit', behave, { redisUrl: testRedisUrl(), prefix, concurrency: 1 });
    worker.on('failed', (job, error) => {
      if (job && isFinalFailure(job, error)) finals.push({ job, error });
    });
    workers.push(worker);
    void worker.run();
    return worker;
  }

  it('keeps a job that used up its attempts with its payload, error and every attempt, and retries it under its id', async () => {
    const deadLetters = createDeadLetterQueue({ queues });
    const finals: { job: Job; error: Error }[] = [];
    let failing = true;
    const worker = failingWorker(async () => {
      if (failing) throw new Error('audit log unavailable');
    }, finals);
    const data = auditJob();
    const jobId = jobIdFor('audit', data);
    await queues.get('audit').add('audit', data, { ...jobOptionsFor('audit', jobId), attempts: 3, backoff: { type: 'fixed', delay: 10 } });
    await waitFor(() => finals.length === 1, { timeoutMs: 10_000, description: 'final failure' });

    const letter = await deadLetters.record('audit', finals[0]!.job, finals[0]!.error);
    expect(letter).toMatchObject({ id: deadLetterIdFor('audit', jobId), queue: 'audit', jobId, payload: data, reason: 'attempts_exhausted', error: 'audit log unavailable' });
    expect(letter.attempts.map((a) => [a.attempt, a.error])).toEqual([
      [1, 'Error: audit log unavailable'],
      [2, 'Error: audit log unavailable'],
      [3, 'Error: audit log unavailable'],
    ]);
    // Recording again (the failed event, then a sweep) keeps one entry.
    await deadLetters.record('audit', finals[0]!.job, finals[0]!.error);
    expect(await deadLetters.sweep('audit')).toBe(0);
    expect(await deadLetters.counts()).toEqual({ total: 1, byQueue: { audit: 1 } });
    expect((await deadLetters.list({ queue: 'audit', offset: 0, limit: 10 })).items.map((l) => l.id)).toEqual([letter.id]);
    expect((await deadLetters.list({ queue: 'cache-write', offset: 0, limit: 10 })).total).toBe(0);

    failing = false;
    expect(await deadLetters.retry([letter.id, 'audit.no-such-letter'])).toEqual({ retried: [letter.id], missing: ['audit.no-such-letter'], rejected: [] });
    await waitFor(async () => (await queues.get('audit').getJobState(jobId)) === 'completed', { timeoutMs: 5000, description: 'retried job completed' });
    // Back under its id, parsed again: with the lineage of a job from the edge filled in.
    expect((await queues.get('audit').getJob(jobId))?.data).toEqual({ ...data, chainDepth: 0, processingStage: 'raw' });
    expect(await deadLetters.counts()).toEqual({ total: 0, byQueue: {} });
    await worker.close();
  });

  it('sweeps up a failed job that has no dead letter (its worker died before writing one)', async () => {
    const deadLetters = createDeadLetterQueue({ queues });
    const finals: { job: Job; error: Error }[] = [];
    const worker = failingWorker(async () => {
      throw new UnrecoverableError('cannot ever work');
    }, finals);
    const data = auditJob();
    await queues.get('audit').add('audit', data, jobOptionsFor('audit', jobIdFor('audit', data)));
    await waitFor(() => finals.length === 1, { timeoutMs: 5000 });
    await worker.close();

    expect(await deadLetters.sweep('audit')).toBe(1);
    expect(await deadLetters.sweep('audit')).toBe(0);
    const [letter] = (await deadLetters.list({ offset: 0, limit: 10 })).items;
    expect(letter).toMatchObject({ queue: 'audit', reason: 'unrecoverable', error: 'cannot ever work', payload: data });

    // Purging deletes the dead letter and the failed original, so no later sweep brings it back.
    expect(await deadLetters.purge({ queue: 'audit' })).toEqual({ purged: 1 });
    expect(await queues.get('audit').getJob(letter!.jobId)).toBeUndefined();
    expect(await deadLetters.sweep('audit')).toBe(0);
  });

  it("names the loop guard's reason, whether written at once or swept up after a restart", async () => {
    const deadLetters = createDeadLetterQueue({ queues });
    const finals: { job: Job; error: Error }[] = [];
    const worker = failingWorker(async () => {
      throw new LoopGuardError('chain_depth_exceeded', { chainDepth: 3, processingStage: 'raw' });
    }, finals);
    const atOnce = { ...auditJob(), chainDepth: 3 };
    const swept = { ...auditJob(), chainDepth: 3 };
    for (const data of [atOnce, swept]) await queues.get('audit').add('audit', data, jobOptionsFor('audit', jobIdFor('audit', data)));
    await waitFor(() => finals.length === 2, { timeoutMs: 5000 });
    await worker.close();
    // Refused once, not retried.
    expect(finals.map((f) => f.job.attemptsMade)).toEqual([1, 1]);

    const first = finals.find((f) => f.job.id === jobIdFor('audit', atOnce))!;
    expect(await deadLetters.record('audit', first.job, first.error)).toMatchObject({ reason: 'chain_depth_exceeded', error: expect.stringMatching(/^loop guard \(chain_depth_exceeded\)/) });
    // The other one's worker "died" before writing its dead letter: the sweep reads the reason from the failed job.
    expect(await deadLetters.sweep('audit')).toBe(1);
    const letters = (await deadLetters.list({ queue: 'audit', offset: 0, limit: 10 })).items;
    expect(letters.map((l) => [l.jobId, l.reason]).sort()).toEqual(
      [
        [jobIdFor('audit', atOnce), 'chain_depth_exceeded'],
        [jobIdFor('audit', swept), 'chain_depth_exceeded'],
      ].sort(),
    );
    expect(await deadLetters.purge({ queue: 'audit' })).toEqual({ purged: 2 });
  });

  it('refuses to retry a payload that no longer matches its schema', async () => {
    const deadLetters = createDeadLetterQueue({ queues });
    const finals: { job: Job; error: Error }[] = [];
    const worker = failingWorker(async () => undefined, finals);
    // Added around the producer, as a job from an older producer might have been.
    await queues.get('audit').add('audit', { traceId: 'not-hex' }, { jobId: 'audit.broken', attempts: 5 });
    await waitFor(() => finals.length === 1, { timeoutMs: 5000 });
    await worker.close();
    expect(finals[0]!.error.name).toBe('UnrecoverableError');
    expect(finals[0]!.job.attemptsMade).toBe(1);

    const letter = await deadLetters.record('audit', finals[0]!.job, finals[0]!.error);
    expect(letter.reason).toBe('unrecoverable');
    const result = await deadLetters.retry([letter.id]);
    expect(result.retried).toEqual([]);
    expect(result.rejected[0]).toMatchObject({ id: letter.id, reason: expect.stringMatching(/payload does not match the audit schema/) });
    expect(await deadLetters.purge({ ids: [letter.id] })).toEqual({ purged: 1 });
    expect(await deadLetters.purge({ all: true })).toEqual({ purged: 0 });
  });
});
