import type { Job } from 'bullmq';
import { DeadLetterSchema } from '@manga-assist/contracts';
import type {
  DeadLetter,
  DeadLetterAttempt,
  DeadLetterCounts,
  DeadLetterListInput,
  DeadLetterPage,
  DeadLetterPurgeInput,
  DeadLetterPurgeResult,
  DeadLetterReason,
  DeadLetterRetryResult,
} from '@manga-assist/contracts';
import { JOB_SCHEMAS, QUEUES, QUEUE_NAMES, jobOptionsFor } from './queues';
import type { QueueName } from './queues';
import type { QueueSet } from './queue-set';
import { loopGuardReasonOf } from './loop-guard';

export interface DeadLetterQueueOptions {
  queues: QueueSet;
  /** Most dead letters a list, count or purge looks through (they are expected to be few). */
  maxScan?: number;
}

export interface DeadLetterQueue {
  /** Keeps a job that will not be retried again; recording the same failure twice keeps one entry. */
  record(queue: QueueName, job: Job, error?: Error): Promise<DeadLetter>;
  /**
   * Records every failed job of `queue` that has no dead letter yet: a worker killed between a
   * job's last failure and its dead-letter write leaves one behind, and the next start picks it up.
   */
  sweep(queue: QueueName): Promise<number>;
  counts(): Promise<DeadLetterCounts>;
  list(input: DeadLetterListInput): Promise<DeadLetterPage>;
  /** Hands dead letters back to their queue under their original job id. */
  retry(ids: readonly string[]): Promise<DeadLetterRetryResult>;
  /** Deletes dead letters for good, with the failed originals they stand for. */
  purge(input: DeadLetterPurgeInput): Promise<DeadLetterPurgeResult>;
}

/** True when BullMQ will not retry this job again after `error`. */
export function isFinalFailure(job: Job, error: Error): boolean {
  return isUnrecoverable(error) || job.attemptsMade >= (job.opts.attempts ?? 1);
}

export function deadLetterIdFor(queue: QueueName, jobId: string): string {
  return `${queue}.${jobId}`;
}

const isUnrecoverable = (error: Error | undefined) => error?.name === 'UnrecoverableError';
const isQueueName = (name: string): name is QueueName => (QUEUE_NAMES as readonly string[]).includes(name);
const iso = (ms: number | undefined) => new Date(ms ?? Date.now()).toISOString();

/** Each recorded stack as one attempt, numbered from the attempt that gave up backwards (BullMQ may trim old ones). */
function attemptsOf(job: Job, error: Error | undefined): DeadLetterAttempt[] {
  const stacks = job.stacktrace ?? [];
  const last = Math.max(job.attemptsMade, stacks.length, 1);
  const attempts = stacks.map((stack, i) => ({
    attempt: last - stacks.length + i + 1,
    error: stack.split('\n', 1)[0] ?? stack,
    stack: stack as string | null,
  }));
  if (attempts.length === 0) {
    const message = error?.message ?? job.failedReason ?? 'unknown error';
    attempts.push({ attempt: last, error: message, stack: error?.stack ?? null });
  }
  return attempts;
}

/**
 * BullMQ has no dead-letter queue of its own: this one is a BullMQ queue (`dead-letter`) that no
 * worker drains. Each entry holds the payload, the errors of every attempt and where the job came
 * from, under a deterministic id, so writing it again (the `failed` event, then a sweep after a
 * crash) is harmless.
 */
export function createDeadLetterQueue({ queues, maxScan = 10_000 }: DeadLetterQueueOptions): DeadLetterQueue {
  const dlq = queues.get(QUEUES.deadLetter);

  const scan = async (): Promise<Job[]> => {
    const jobs = await dlq.getJobs(['waiting'], 0, maxScan - 1, true);
    return jobs.filter((j): j is Job => Boolean(j));
  };
  const parse = (job: Job): DeadLetter | null => {
    const letter = DeadLetterSchema.safeParse(job.data);
    return letter.success ? letter.data : null;
  };

  const record = async (queue: QueueName, job: Job, error?: Error): Promise<DeadLetter> => {
    const jobId = job.id ?? 'unknown';
    const reason: DeadLetterReason =
      loopGuardReasonOf(error?.message ?? job.failedReason) ??
      (isUnrecoverable(error) || job.attemptsMade < (job.opts.attempts ?? 1)
        ? 'unrecoverable'
        : 'attempts_exhausted');
    const letter: DeadLetter = {
      id: deadLetterIdFor(queue, jobId),
      queue,
      jobId,
      payload: job.data,
      reason,
      error: error?.message ?? job.failedReason ?? 'unknown error',
      attempts: attemptsOf(job, error),
      attemptsStarted: job.attemptsStarted ?? job.attemptsMade,
      enqueuedAt: iso(job.timestamp),
      failedAt: iso(job.finishedOn),
      deadLetteredAt: new Date().toISOString(),
    };
    // An id that is already there keeps its first entry (BullMQ ignores a second add).
    await dlq.add(queue, letter, { jobId: letter.id });
    return letter;
  };

  /** Removes a job that stands for a dead letter, unless it is queued or running again. */
  const removeFailedOriginal = async (queue: QueueName, jobId: string): Promise<'removed' | 'absent' | 'queued'> => {
    const original = await queues.get(queue).getJob(jobId);
    if (!original) return 'absent';
    const state = await original.getState();
    if (state !== 'failed' && state !== 'completed') return state === 'unknown' ? 'absent' : 'queued';
    await original.remove();
    return 'removed';
  };

  return {
    record,

    async sweep(queue) {
      const failed = await queues.get(queue).getFailed(0, maxScan - 1);
      let recorded = 0;
      for (const job of failed) {
        if (!job?.id) continue;
        if (await dlq.getJob(deadLetterIdFor(queue, job.id))) continue;
        await record(queue, job);
        recorded++;
      }
      return recorded;
    },

    async counts() {
      const byQueue: Record<string, number> = {};
      const jobs = await scan();
      for (const job of jobs) byQueue[job.name] = (byQueue[job.name] ?? 0) + 1;
      return { total: await dlq.getWaitingCount(), byQueue };
    },

    async list({ queue, offset, limit }) {
      const matching = (await scan()).filter((j) => queue === undefined || j.name === queue);
      const items = matching
        .slice(offset, offset + limit)
        .map(parse)
        .filter((l): l is DeadLetter => l !== null);
      return { total: matching.length, items };
    },

    async retry(ids) {
      const result: DeadLetterRetryResult = { retried: [], missing: [], rejected: [] };
      for (const id of ids) {
        const entry = await dlq.getJob(id);
        const letter = entry ? parse(entry) : null;
        if (!entry) {
          result.missing.push(id);
          continue;
        }
        if (!letter || !isQueueName(letter.queue)) {
          result.rejected.push({ id, reason: 'not a dead letter of a known queue' });
          continue;
        }
        const queue = letter.queue;
        const payload = JOB_SCHEMAS[queue].safeParse(letter.payload);
        if (!payload.success) {
          result.rejected.push({ id, reason: `payload does not match the ${queue} schema: ${payload.error.issues[0]?.message ?? 'invalid'}` });
          continue;
        }
        // BullMQ will not add a job whose id still exists: the failed original goes first. A job
        // already queued again under that id (an earlier retry that stopped midway) is left alone.
        if ((await removeFailedOriginal(queue, letter.jobId)) !== 'queued') {
          await queues.get(queue).add(queue, payload.data, jobOptionsFor(queue, letter.jobId));
        }
        await entry.remove();
        result.retried.push(id);
      }
      return result;
    },

    async purge(input) {
      const targets =
        'ids' in input
          ? (await Promise.all(input.ids.map((id) => dlq.getJob(id)))).filter((j): j is Job => Boolean(j))
          : (await scan()).filter((j) => 'all' in input || j.name === input.queue);
      let purged = 0;
      for (const entry of targets) {
        const letter = parse(entry);
        if (letter && isQueueName(letter.queue)) await removeFailedOriginal(letter.queue, letter.jobId);
        await entry.remove();
        purged++;
      }
      return { purged };
    },
  };
}
