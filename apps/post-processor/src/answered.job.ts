import { UnrecoverableError } from 'bullmq';
import type { AnsweredJob } from '@manga-assist/contracts';
import type { JobsOptions } from 'bullmq';
import { JOB_SCHEMAS, jobIdFor, jobOptionsFor } from '@manga-assist/queue';
import type { JobHandler, QueueSet } from '@manga-assist/queue';
import { answerJobs } from './answer-jobs';
import type { DerivedQueueName } from './answer-jobs';

export interface AnsweredJobDeps {
  /** Handles of the queues the derived jobs go to. */
  queues: Pick<QueueSet, 'get'>;
}

interface BulkJob {
  name: DerivedQueueName;
  data: unknown;
  opts: JobsOptions;
}

/**
 * Fans answers out into the kinds' own queues (cache write, guardrail check, analytics, audit,
 * session turn), each job with its queue's options and its content-derived id. A fan-out that runs
 * again (a retry after a partial add, a re-run after a crash) adds nothing twice: Redis keeps the
 * job already there under that id. A derived payload that breaks its schema fails the job at once,
 * before anything is added. The jobs of several answers go to each queue in one bulk add, in the
 * answers' order (a session's turns stay in the order they were given).
 */
async function fanOut(answers: readonly AnsweredJob[], { queues }: AnsweredJobDeps): Promise<{ jobIds: (string | undefined)[] }> {
  const byQueue = new Map<DerivedQueueName, BulkJob[]>();
  for (const answered of answers) {
    for (const job of answerJobs(answered)) {
      const parsed = JOB_SCHEMAS[job.name].safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid ${job.name} payload derived from answered ${answered.traceId}: ${parsed.error.message}`);
      const bulk = byQueue.get(job.name) ?? [];
      bulk.push({ name: job.name, data: parsed.data, opts: jobOptionsFor(job.name, jobIdFor(job.name, job.data)) });
      byQueue.set(job.name, bulk);
    }
  }
  await Promise.all([...byQueue].map(([name, jobs]) => queues.get(name).addBulk(jobs)));
  return { jobIds: [...byQueue.values()].flat().map((j) => j.opts.jobId) };
}

/** Several answers per job, as the gateway hands them over. */
export function createAnsweredBatchJob(deps: AnsweredJobDeps): JobHandler<'answered-batch'> {
  return (batch) => fanOut(batch.answers, deps);
}
