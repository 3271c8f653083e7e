import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { AnsweredJob, SessionUpdateJob } from '@manga-assist/contracts';
import { createTestLogger, deleteKeysWithPrefix, freePort, spawnProcess, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import { bullConnection, createJobProducer, createJobWorker } from '../src';

const traceId = () => randomBytes(16).toString('hex');
const sessionUpdate = (seq: number, id = traceId()): SessionUpdateJob => ({
  traceId: id,
  sessionId: 'session-1',
  turn: { seq, requestId: `r${seq}`, user: '今週の人気マンガは？', assistant: '…', intent: 'trending', at: new Date().toISOString() },
  titleIds: [],
});

describe('job producer and worker', () => {
  const prefix = uniquePrefix('queue').replace(/:$/, '');
  const redis = new Redis(testRedisUrl());

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, `${prefix}:`);
    redis.disconnect();
  });

  it('hands a job to its queue, and the worker receives the parsed payload', async () => {
    const log = createTestLogger();
    const producer = createJobProducer({ redisUrl: testRedisUrl(), prefix, log });
    const received: SessionUpdateJob[] = [];
    const worker = createJobWorker('session-update', async (data) => void received.push(data), { redisUrl: testRedisUrl(), prefix });
    void worker.run();
    try {
      const job = sessionUpdate(1);
      producer.enqueue('session-update', job);
      await waitFor(() => received.length === 1, { timeoutMs: 5000, description: 'job processed' });
      // Parsed, so with the lineage of a job from the edge filled in.
      expect(received[0]).toEqual({ ...job, chainDepth: 0, processingStage: 'raw' });
    } finally {
      await worker.close();
      await producer.close();
    }
  });

  it('hands the same job over twice as one job', async () => {
    const producer = createJobProducer({ redisUrl: testRedisUrl(), prefix, log: createTestLogger() });
    const queue = new Queue('session-update', { connection: bullConnection(testRedisUrl()), prefix });
    try {
      const job = sessionUpdate(2);
      producer.enqueue('session-update', job);
      producer.enqueue('session-update', job);
      expect(await producer.flush()).toBe(true);
      const waiting: Job[] = await queue.getJobs(['waiting', 'delayed', 'active', 'completed']);
      expect(waiting.filter((j) => j.data.traceId === job.traceId)).toHaveLength(1);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await producer.close();
    }
  });

  it('rejects a payload that breaks its schema at the producer', () => {
    const producer = createJobProducer({ redisUrl: testRedisUrl(), prefix, log: createTestLogger() });
    expect(() => producer.enqueue('session-update', { ...sessionUpdate(1), traceId: 'not-hex' })).toThrow(/traceId/);
    return producer.close();
  });

  it('keeps jobs while Redis refuses them and delivers them, in order, once it is back', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const log = createTestLogger();
    const producer = createJobProducer({ redisUrl: url, prefix, log, retryIntervalMs: 100, handOffTimeoutMs: 100 });
    const jobs = [1, 2, 3, 4, 5].map((seq) => sessionUpdate(seq));
    const started = Date.now();
    for (const job of jobs) producer.enqueue('session-update', job);
    // enqueue never waits for Redis
    expect(Date.now() - started).toBeLessThan(50);
    await waitFor(() => producer.pending() === 5, { timeoutMs: 3000, description: 'jobs spilled' });

    const server = spawnProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    const queue = new Queue('session-update', { connection: bullConnection(url), prefix });
    try {
      expect(await producer.flush(15_000)).toBe(true);
      expect(await queue.getWaitingCount()).toBe(5);
      // One worker at a time sees them in the order they were enqueued.
      const order: number[] = [];
      const worker = createJobWorker('session-update', async (data) => void order.push(data.turn.seq), { redisUrl: url, prefix, concurrency: 1 });
      void worker.run();
      await waitFor(() => order.length === 5, { timeoutMs: 5000, description: 'jobs processed' });
      await worker.close();
      expect(order).toEqual([1, 2, 3, 4, 5]);
      expect(log.entries.some((e) => e.level === 'warn')).toBe(true);
    } finally {
      await queue.close();
      await producer.close();
      await server.stop('SIGKILL');
    }
  });

  it('drops analytics before a session turn when the spill buffer is full, and says so', async () => {
    const port = await freePort();
    const log = createTestLogger();
    const producer = createJobProducer({ redisUrl: `redis://127.0.0.1:${port}`, prefix, log, spillLimit: 2, handOffTimeoutMs: 50, retryIntervalMs: 60_000 });
    try {
      producer.enqueue('analytics', {
        eventId: traceId(),
        type: 'chat_answered',
        sessionId: 's',
        intent: 'trending',
        model: 'haiku',
        cached: false,
        titleIds: [],
        timings: {},
        degraded: [],
        at: new Date().toISOString(),
      });
      await waitFor(() => producer.pending() === 1, { timeoutMs: 3000 });
      producer.enqueue('session-update', sessionUpdate(1));
      producer.enqueue('session-update', sessionUpdate(2));
      await waitFor(() => log.entries.some((e) => e.msg === 'spill buffer full: job dropped'), { timeoutMs: 3000 });
      const drop = log.entries.find((e) => e.msg === 'spill buffer full: job dropped');
      expect((drop?.obj as { queue: string }).queue).toBe('analytics');
      expect(producer.pending()).toBe(2);
    } finally {
      await producer.close();
    }
  });

  it('keeps an answered-batch job (answers with their session turns) longest of all', async () => {
    const port = await freePort();
    const log = createTestLogger();
    const producer = createJobProducer({ redisUrl: `redis://127.0.0.1:${port}`, prefix, log, spillLimit: 2, handOffTimeoutMs: 50, retryIntervalMs: 60_000 });
    const answered = (seq: number): AnsweredJob => {
      const turn = sessionUpdate(seq).turn;
      return {
        traceId: traceId(),
        at: turn.at,
        requestId: turn.requestId,
        question: turn.user,
        answer: turn.assistant,
        model: 'haiku',
        sessionId: 'session-1',
        connectionId: null,
        intent: 'trending',
        titleIds: [],
        scope: { intent: 'trending', filters: {}, titleIds: [], language: 'ja' },
        cacheTtlSeconds: 900,
        timings: {},
        degraded: [],
        turn,
      };
    };
    try {
      producer.enqueue('session-update', sessionUpdate(1));
      await waitFor(() => producer.pending() === 1, { timeoutMs: 3000 });
      for (const seq of [2, 3]) {
        const answer = answered(seq);
        producer.enqueue('answered-batch', { batchId: answer.traceId, answers: [answer] });
      }
      await waitFor(() => log.entries.some((e) => e.msg === 'spill buffer full: job dropped'), { timeoutMs: 3000 });
      const drops = log.entries.filter((e) => e.msg === 'spill buffer full: job dropped').map((e) => (e.obj as { queue: string }).queue);
      expect(drops).toEqual(['session-update']);
      expect(producer.pending()).toBe(2);
    } finally {
      await producer.close();
    }
  });
});
