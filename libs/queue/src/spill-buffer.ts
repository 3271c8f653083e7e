import type { JobsOptions } from 'bullmq';
import type { QueueName } from './queues';

export interface Spilled {
  /** Order of enqueue: the spill buffer retries in this order whatever order the failures came in. */
  seq: number;
  name: QueueName;
  data: unknown;
  opts: JobsOptions;
}

export interface SpillLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SpillBuffer {
  readonly length: number;
  /** Keeps a job Redis refused, in enqueue order; when full, drops the job that matters least. */
  keep(job: Spilled, error: unknown): void;
  /** The oldest job kept, next to hand over. */
  first(): Spilled | undefined;
  /** Removes the oldest job once it has been handed over. */
  shift(): void;
}

// Which jobs give way first when the spill buffer is full: a session turn (alone, or inside an
// answered-batch job) is dropped last, and never without an error log and a counted drop.
const DROP_ORDER: QueueName[] = ['analytics', 'cache-write', 'guardrail-check', 'audit', 'session-update', 'answered-batch'];

/** Jobs held in memory while Redis refuses them, bounded by `limit`. */
export function createSpillBuffer({ limit, log, onDrop }: { limit: number; log: SpillLogger; onDrop(queue: QueueName): void }): SpillBuffer {
  const spill: Spilled[] = [];
  return {
    get length() {
      return spill.length;
    },
    keep(job, error) {
      if (spill.length >= limit) {
        const victimQueue = DROP_ORDER.find((q) => spill.some((s) => s.name === q) && DROP_ORDER.indexOf(q) <= DROP_ORDER.indexOf(job.name));
        const index = victimQueue ? spill.findIndex((s) => s.name === victimQueue) : -1;
        const victim = index >= 0 ? spill.splice(index, 1)[0]! : job;
        onDrop(victim.name);
        log.error({ queue: victim.name, jobId: victim.opts.jobId, spillLimit: limit }, 'spill buffer full: job dropped');
        if (victim === job) return;
      }
      if (spill.length === 0) log.warn({ err: (error as Error).message }, 'Redis refused a job hand-off: keeping jobs in memory and retrying');
      let at = spill.length;
      while (at > 0 && spill[at - 1]!.seq > job.seq) at--;
      spill.splice(at, 0, job);
    },
    first: () => spill[0],
    shift() {
      spill.shift();
    },
  };
}
