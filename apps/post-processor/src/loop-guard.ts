import { LoopGuardError, loopGuardReason } from '@manga-assist/queue';
import type { JobHandler, QueueName } from '@manga-assist/queue';
import { Counter } from '@manga-assist/telemetry';
import type { Logger, Registry } from '@manga-assist/telemetry';
import type { Handlers } from './handlers';

export interface LoopGuardDeps {
  registry: Registry;
  log: Pick<Logger, 'warn'>;
}

/**
 * The handlers of `queues` (the ones whose jobs may call the model) behind the loop guard: a job
 * at chainDepth ≥ 3 or with processed input is counted, logged and failed with a LoopGuardError,
 * which the worker pool dead-letters with the guard's reason instead of retrying it.
 */
export function withLoopGuards(handlers: Handlers, queues: readonly QueueName[], { registry, log }: LoopGuardDeps): Handlers {
  const refusals = new Counter({
    name: 'manga_assist_loop_guard_refusals_total',
    help: 'Jobs a consumer that may call the model refused (chainDepth too deep or processed input), by queue and reason.',
    labelNames: ['queue', 'reason'],
    registers: [registry],
  });
  const guarded: Record<QueueName, JobHandler<QueueName>> = { ...handlers };
  for (const queue of queues) {
    const handler = handlers[queue] as JobHandler<QueueName>;
    guarded[queue] = async (data, job) => {
      const reason = loopGuardReason(data);
      if (reason) {
        refusals.inc({ queue, reason });
        log.warn({ queue, jobId: job.id, reason, chainDepth: data.chainDepth, processingStage: data.processingStage }, 'loop guard refused a job');
        throw new LoopGuardError(reason, data);
      }
      return handler(data, job);
    };
  }
  return guarded as Handlers;
}
