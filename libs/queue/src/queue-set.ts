import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { bullConnection } from './connection';
import { QUEUES, QUEUE_NAMES } from './queues';
import type { DeadLetterQueueName, QueueName } from './queues';

export interface QueueSetOptions {
  redisUrl: string;
  /** BullMQ key prefix; tests use a unique one. */
  prefix?: string;
}

/**
 * One BullMQ Queue handle per queue name (work queues and the dead-letter queue) over a single
 * shared connection, for everything that reads or moves jobs without processing them: metrics,
 * the queue board, dead-letter retries.
 */
export interface QueueSet {
  get(name: QueueName | DeadLetterQueueName): Queue;
  /** Work queues first, the dead-letter queue last. */
  all(): Queue[];
  close(): Promise<void>;
}

export function createQueueSet({ redisUrl, prefix = 'ma' }: QueueSetOptions): QueueSet {
  // Reads and control calls should fail, not hang, while Redis is away.
  const connection = new Redis({ ...bullConnection(redisUrl), maxRetriesPerRequest: 1, connectionName: 'manga-assist:queues' });
  connection.on('error', () => undefined); // surfaced by the calls that fail and by readiness
  const names = [...QUEUE_NAMES, QUEUES.deadLetter];
  const queues = new Map(names.map((name) => [name, new Queue(name, { connection, prefix })]));
  for (const queue of queues.values()) queue.on('error', () => undefined);

  return {
    get(name) {
      const queue = queues.get(name);
      if (!queue) throw new Error(`unknown queue ${name}`);
      return queue;
    },
    all: () => [...queues.values()],
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      // A Queue given a shared connection leaves it open.
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
