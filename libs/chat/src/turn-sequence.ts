import type { Redis } from 'ioredis';

/** Numbers the turns of a session across gateway instances. */
export interface TurnSequence {
  /** The next turn number of a session; `knownLastSeq` seeds a counter that Redis no longer has. */
  next(sessionId: string, knownLastSeq: number): Promise<number>;
}

/** KEYS[1]: the counter; ARGV: the seed when Redis has no counter, the TTL in seconds. */
const NEXT_TURN_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX')
local seq = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return seq
`;

interface ScriptedRedis extends Redis {
  mangaAssistNextTurn(key: string, seed: number, ttlSeconds: number): Promise<number>;
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
  // One script call (atomic, like the MULTI it replaces, without its five commands and pipeline).
  redis.defineCommand('mangaAssistNextTurn', { numberOfKeys: 1, lua: NEXT_TURN_SCRIPT });
  const scripted = redis as ScriptedRedis;
  return {
    async next(sessionId, knownLastSeq) {
      const key = `${keyPrefix}turn-seq:${sessionId}`;
      const deadline = Date.now() + maxWaitMs;
      for (;;) {
        try {
          return Number(await scripted.mangaAssistNextTurn(key, knownLastSeq, ttlSeconds));
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((r) => setTimeout(r, retryMs).unref());
        }
      }
    },
  };
}
