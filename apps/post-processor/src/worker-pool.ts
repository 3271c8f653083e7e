import type { Job, Worker } from 'bullmq';
import { createJobWorker, isFinalFailure } from '@manga-assist/queue';
import type { DeadLetterQueue, JobHandler, QueueMetrics, QueueName } from '@manga-assist/queue';
import type { Logger } from '@manga-assist/telemetry';
import type { Handlers } from './handlers';
import { QUEUE_SINKS } from './queue-sinks';
import type { SinkName } from './queue-sinks';

export interface WorkerPoolOptions {
  queues: readonly QueueName[];
  handlers: Handlers;
  redisUrl: string;
  prefix: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  deadLetters: DeadLetterQueue;
  metrics: QueueMetrics;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Called once a job will not be tried again (after its dead letter is under way). */
  onFinalFailure?(queue: QueueName, job: Job, error: Error): void;
  /** Why a queue's worker stays paused although its sinks are reachable (e.g. the model cost breaker), or null. */
  hold?: (queue: QueueName) => string | null;
}

export type WorkerState = 'waiting for sinks' | 'running' | 'paused';

export interface WorkerPool {
  /** Runs each worker whose sinks are all reachable, pauses the others. */
  gate(sinkOk: (sink: SinkName) => boolean): void;
  /** Gates the workers now and every `intervalMs` until closed. */
  start(sinkOk: (sink: SinkName) => boolean, intervalMs?: number): void;
  /** Gates the workers again now (after a hold changed), with the sink check `start` was given. */
  regate(): void;
  states(): Record<string, WorkerState>;
  /** Stops taking jobs, lets the jobs in flight finish, closes the workers, then waits for dead-letter writes. */
  close(): Promise<void>;
}

interface Member {
  name: QueueName;
  worker: Worker;
  state: WorkerState;
  swept: boolean;
}

/**
 * One paused BullMQ worker per drained queue, each with the queue's own concurrency (bulkhead),
 * started only once its sinks are reachable and paused again while one is away. A job's last
 * failure goes to the dead-letter queue; the first start of each worker also sweeps up failures a
 * killed process left without a dead letter.
 */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const { queues, handlers, deadLetters, metrics, log } = options;
  const pendingDeadLetters = new Set<Promise<void>>();
  let closing = false;
  let timer: NodeJS.Timeout | undefined;
  let lastSinkOk: ((sink: SinkName) => boolean) | undefined;

  const track = (work: Promise<void>) => {
    pendingDeadLetters.add(work);
    void work.finally(() => pendingDeadLetters.delete(work));
  };

  const deadLetter = (name: QueueName, job: Job, error: Error) =>
    track(
      deadLetters.record(name, job, error).then(
        (letter) => {
          metrics.deadLettered(name);
          log.warn({ queue: name, jobId: job.id, deadLetter: letter.id, reason: letter.reason, err: error.message }, 'job moved to the dead-letter queue');
        },
        (e: unknown) => {
          // The failed job stays in its queue's failed set; the next start's sweep records it.
          log.error({ queue: name, jobId: job.id, err: (e as Error).message }, 'could not write a dead letter');
        },
      ),
    );

  const members: Member[] = queues.map((name) => {
    const worker = createJobWorker(name, handlers[name] as JobHandler<typeof name>, {
      redisUrl: options.redisUrl,
      prefix: options.prefix,
      autorun: false,
      lockDurationMs: options.lockDurationMs,
      stalledIntervalMs: options.stalledIntervalMs,
      onProcessed: (seconds) => metrics.observeDuration(name, seconds),
    });
    worker.on('completed', () => metrics.completed(name));
    worker.on('failed', (job, error) => {
      metrics.failed(name);
      if (!job) return;
      if (isFinalFailure(job, error)) {
        deadLetter(name, job, error);
        options.onFinalFailure?.(name, job, error);
      }
      else log.warn({ queue: name, jobId: job.id, attempt: job.attemptsMade, err: error.message }, 'job failed; it will be retried');
    });
    worker.on('stalled', (jobId) => {
      metrics.stalled(name);
      log.warn({ queue: name, jobId }, 'job given back to the queue: the worker running it stopped');
    });
    let lastError = '';
    worker.on('error', (error) => {
      if (error.message !== lastError) log.warn({ queue: name, err: error.message }, 'worker error');
      lastError = error.message;
    });
    return { name, worker, state: 'waiting for sinks', swept: false };
  });

  const sweep = (m: Member) => {
    m.swept = true;
    track(
      deadLetters.sweep(m.name).then(
        (n) => {
          if (n > 0) log.warn({ queue: m.name, recorded: n }, 'recorded dead letters for failed jobs that had none');
        },
        (e: unknown) => {
          m.swept = false;
          log.warn({ queue: m.name, err: (e as Error).message }, 'dead-letter sweep failed; will try again');
        },
      ),
    );
  };

  const pool: WorkerPool = {
    gate(sinkOk) {
      if (closing) return;
      for (const m of members) {
        const sinksOk = QUEUE_SINKS[m.name].every(sinkOk);
        const held = sinksOk ? (options.hold?.(m.name) ?? null) : null;
        const ready = sinksOk && held === null;
        if (ready && m.state !== 'running') {
          log.info({ queue: m.name }, m.state === 'paused' ? 'sinks back and no hold: worker resumed' : 'worker draining');
          m.state = 'running';
          void m.worker.resume();
          if (!m.swept) sweep(m);
        } else if (!ready && m.state === 'running') {
          if (held !== null) log.warn({ queue: m.name, hold: held }, 'worker paused: held');
          else log.warn({ queue: m.name, sinks: QUEUE_SINKS[m.name] }, 'a sink is unreachable: worker paused');
          m.state = 'paused';
          // Jobs in flight finish (or fail and retry) on their own; no new ones are taken.
          void m.worker.pause(true);
        }
      }
    },
    start(sinkOk, intervalMs = 250) {
      lastSinkOk = sinkOk;
      clearInterval(timer);
      pool.gate(sinkOk);
      timer = setInterval(() => pool.gate(sinkOk), intervalMs);
    },
    regate() {
      if (lastSinkOk) pool.gate(lastSinkOk);
    },
    states: () => Object.fromEntries(members.map((m) => [m.name, m.state])),
    async close() {
      closing = true;
      clearInterval(timer);
      await Promise.all(members.map((m) => m.worker.close()));
      await Promise.all(pendingDeadLetters);
    },
  };
  return pool;
}
