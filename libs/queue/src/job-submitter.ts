import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { bullConnection } from './connection';
import { JOB_SCHEMAS, jobIdFor, jobOptionsFor } from './queues';
import type { JobInput, QueueName } from './queues';

export interface JobSubmitterOptions {
  redisUrl: string;
  /** BullMQ key prefix; tests use a unique one. */
  prefix?: string;
  /** How long a waiting-count read is reused before Redis is asked again. */
  backlogCacheMs?: number;
}

/**
 * Adds jobs and waits until Redis holds them, for callers that must not acknowledge work before it
 * is stored (a webhook answered 200 is never sent again). Unlike the producer it keeps nothing in
 * memory: when Redis refuses, the call fails and the caller says so.
 */
export interface JobSubmitter {
  submit<N extends QueueName>(name: N, jobs: readonly JobInput<N>[]): Promise<void>;
  /** Jobs waiting in `name` (read at most every `backlogCacheMs`). */
  backlog(name: QueueName): Promise<number>;
  close(): Promise<void>;
}

export function createJobSubmitter({ redisUrl, prefix = 'ma', backlogCacheMs = 250 }: JobSubmitterOptions): JobSubmitter {
  // Fail fast while Redis is away: the sender retries a delivery we could not store.
  const connection = new Redis({ ...bullConnection(redisUrl), maxRetriesPerRequest: 1, enableOfflineQueue: false, connectionName: 'manga-assist:submitter' });
  connection.on('error', () => undefined); // surfaced by the calls that fail
  const queues = new Map<QueueName, Queue>();
  const queueFor = (name: QueueName): Queue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, prefix });
      queue.on('error', () => undefined);
      queues.set(name, queue);
    }
    return queue;
  };
  const backlogs = new Map<QueueName, { at: number; count: Promise<number> }>();

  return {
    async submit(name, jobs) {
      const entries = jobs.map((data) => ({ name, data: JOB_SCHEMAS[name].parse(data), opts: jobOptionsFor(name, jobIdFor(name, data)) }));
      if (entries.length === 1) await queueFor(name).add(name, entries[0]!.data, entries[0]!.opts);
      else if (entries.length > 1) await queueFor(name).addBulk(entries);
    },
    backlog(name) {
      const cached = backlogs.get(name);
      if (cached && Date.now() - cached.at < backlogCacheMs) return cached.count;
      // Waiting plus delayed (retries) plus prioritized: everything not yet started.
      const count = queueFor(name).getJobCountByTypes('waiting', 'delayed', 'prioritized');
      backlogs.set(name, { at: Date.now(), count });
      count.catch(() => backlogs.delete(name));
      return count;
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
