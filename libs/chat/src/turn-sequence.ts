import type { Redis } from 'ioredis';

/** Numbers the turns of a session across gateway instances. */
export interface TurnSequence {
  /** The next turn number of a session; `knownLastSeq` seeds a counter that Redis no longer has. */
  next(sessionId: string, knownLastSeq: number): Promise<number>;
}

/**
 * A Redis counter per session (seeded from the stored session when Redis has none), retried while
 * Redis is away so a turn waits for its number rather than being lost or numbered twice.
 */
export function createTurnSequence({
  redis,
  keyPrefix = 'ma:',
  ttlSeconds = 7 * 24 * 3600,
  retryMs = 500,
  maxWaitMs = 10 * 60_000,
}: {
  redis: Redis;
  keyPrefix?: string;
  ttlSeconds?: number;
  retryMs?: number;
  maxWaitMs?: number;
}): TurnSequence {
  return {
    async next(sessionId, knownLastSeq) {
      const key = `${keyPrefix}turn-seq:${sessionId}`;
      const deadline = Date.now() + maxWaitMs;
      for (;;) {
        try {
          const replies = await redis.multi().set(key, knownLastSeq, 'EX', ttlSeconds, 'NX').incr(key).expire(key, ttlSeconds).exec();
          const incr = replies?.[1];
          if (!incr || incr[0]) throw incr?.[0] ?? new Error('no reply');
          return Number(incr[1]);
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((r) => setTimeout(r, retryMs).unref());
        }
      }
    },
  };
}
