import type { AnsweredJob } from '@manga-assist/contracts';
import type { JobInput, QueueName } from '@manga-assist/queue';

/** The queues an answer fans out into. */
export type DerivedQueueName = Exclude<QueueName, 'answered-batch'>;

/** One job for one of the kinds' queues, typed by its queue. */
export type DerivedJob = { [N in DerivedQueueName]: { name: N; data: JobInput<N> } }[DerivedQueueName];

/**
 * The post-processing jobs of one answer: a cache write for a fresh answer the gateway chose to
 * cache, a guardrail check for a fresh answer (a cached one was checked when it was first given),
 * and always the analytics event, the audit record and the session turn.
 */
export function answerJobs(job: AnsweredJob): DerivedJob[] {
  const { traceId, at, requestId, question, answer, model, sessionId, userId, connectionId, intent, titleIds } = job;
  const jobs: DerivedJob[] = [];
  // An empty answer is not worth a cache entry (and the cache-write schema refuses one).
  if (model !== 'cache' && job.cacheTtlSeconds > 0 && answer.length > 0) {
    jobs.push({
      name: 'cache-write',
      data: { traceId, question, answer, model, scope: job.scope, ttlSeconds: job.cacheTtlSeconds, createdAt: at },
    });
  }
  if (model !== 'cache') {
    jobs.push({
      name: 'guardrail-check',
      data: { traceId, connectionId, requestId, sessionId, intent, question, answer },
    });
  }
  jobs.push(
    {
      name: 'analytics',
      data: {
        eventId: traceId,
        type: 'chat_answered',
        sessionId,
        intent,
        model,
        cached: model === 'cache',
        titleIds,
        timings: job.timings,
        degraded: job.degraded,
        at,
      },
    },
    { name: 'audit', data: { traceId, sessionId, userId, requestId, question, answer, model, at } },
    { name: 'session-update', data: { traceId, sessionId, userId, turn: job.turn, titleIds } },
  );
  return jobs;
}
