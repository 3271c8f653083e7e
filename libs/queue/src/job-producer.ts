import { Queue } from 'bullmq';
import { withDeadline } from '@manga-assist/resilience';
import type { Registry } from '@manga-assist/telemetry';
import { bullConnection } from './connection';
import { createProducerMetrics } from './producer-metrics';
import { createSpillBuffer } from './spill-buffer';
import type { Spilled } from './spill-buffer';
import { JOB_SCHEMAS, jobIdFor, jobOptionsFor } from './queues';
import type { JobInput, QueueName } from './queues';

export interface ProducerLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobProducerOptions {
  redisUrl: string;
  /** BullMQ key prefix; tests use a unique one. */
  prefix?: string;
  log: ProducerLogger;
  registry?: Registry;
  /** Most jobs held in memory while Redis refuses them. */
  spillLimit?: number;
  /** How long a hand-off may take before the job goes to the spill buffer instead. */
  handOffTimeoutMs?: number;
  retryIntervalMs?: number;
}

export interface JobProducer {
  /**
   * Hands a job over without waiting: never throws for an unavailable Redis (the job is kept and
   * retried), only for a payload that breaks its schema (a bug in the caller).
   */
  enqueue<N extends QueueName>(name: N, data: JobInput<N>): void;
  /** Jobs waiting in the spill buffer. */
  pending(): number;
  /** Resolves once every job handed over so far has reached Redis (or the timeout passes). */
  flush(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createJobProducer(options: JobProducerOptions): JobProducer {
  const { redisUrl, prefix = 'ma', log, spillLimit = 10_000, handOffTimeoutMs = 250, retryIntervalMs = 500 } = options;
  // A hand-off must fail fast while Redis is away; the spill buffer does the waiting.
  const connection = bullConnection(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
  });
  const queues = new Map<QueueName, Queue>();
  const queueFor = (name: QueueName): Queue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix });
      queue.on('error', () => undefined); // connection errors surface through failed hand-offs
      queues.set(name, queue);
    }
    return queue;
  };

  let enqueueSeq = 0;
  const inFlight = new Set<Promise<void>>();
  const metrics = createProducerMetrics(options.registry, () => spill.length);
  const spill = createSpillBuffer({ limit: spillLimit, log, onDrop: metrics.dropped });

  const withinHandOffTime = (add: () => Promise<unknown>) =>
    withDeadline(handOffTimeoutMs, add, () => new Error(`no answer from Redis within ${handOffTimeoutMs} ms`));
  const handOff = async (job: Spilled): Promise<void> => {
    await withinHandOffTime(() => queueFor(job.name).add(job.name, job.data, job.opts));
    metrics.enqueued(job.name);
  };

  // Jobs handed over in the same turn of the event loop go to Redis together: one addBulk per
  // queue instead of one round trip and one script call per job, which keeps the gateway's CPU
  // cost per answer low under load.
  const batches = new Map<QueueName, Spilled[]>();
  let flushScheduled = false;
  const handOffBatch = async (name: QueueName, jobs: Spilled[]): Promise<void> => {
    await withinHandOffTime(() =>
      // One job goes in with a single script call: addBulk builds an ioredis pipeline, and each
      // one copies every script command BullMQ defines, which costs more than the job itself.
      jobs.length === 1
        ? queueFor(name).add(jobs[0]!.name, jobs[0]!.data, jobs[0]!.opts)
        : queueFor(name).addBulk(jobs.map((j) => ({ name: j.name, data: j.data, opts: j.opts }))),
    );
    metrics.enqueued(name, jobs.length);
  };
  const flushBatches = () => {
    flushScheduled = false;
    for (const [name, jobs] of batches) {
      batches.delete(name);
      const attempt = handOffBatch(name, jobs).catch((error: unknown) => {
        for (const job of jobs) spill.keep(job, error);
      });
      inFlight.add(attempt);
      void attempt.finally(() => inFlight.delete(attempt));
    }
  };

  let retrying = false;
  const retryTimer = setInterval(() => {
    if (retrying || spill.length === 0) return;
    retrying = true;
    void (async () => {
      // Oldest first, one at a time: a session's turns reach Redis in the order they were given.
      for (let job = spill.first(); job; job = spill.first()) {
        try {
          await handOff(job);
          spill.shift();
        } catch {
          break;
        }
      }
      retrying = false;
    })();
  }, retryIntervalMs);
  retryTimer.unref();

  return {
    enqueue(name, data) {
      const parsed = JOB_SCHEMAS[name].parse(data);
      const job: Spilled = { seq: ++enqueueSeq, name, data: parsed, opts: jobOptionsFor(name, jobIdFor(name, data)) };
      // Jobs queue up behind the ones already spilled, so per-session order is kept.
      if (spill.length > 0) return spill.keep(job, new Error('earlier jobs are still waiting'));
      const batch = batches.get(name);
      if (batch) batch.push(job);
      else batches.set(name, [job]);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushBatches);
      }
    },
    pending: () => spill.length,
    async flush(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        await Promise.all(inFlight);
        if (spill.length === 0 && inFlight.size === 0 && batches.size === 0) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    },
    async close() {
      clearInterval(retryTimer);
      if (flushScheduled) flushBatches();
      await Promise.all(inFlight);
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

