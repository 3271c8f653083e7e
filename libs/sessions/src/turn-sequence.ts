import type { Redis } from 'ioredis';
import { createWindowedBatch } from '@manga-assist/redis';

/** Numbers the turns of a session across gateway instances. */
export interface TurnSequence {
  /** The next turn number of a session; `knownLastSeq` seeds a counter that Redis no longer has. */
  next(sessionId: string, knownLastSeq: number): Promise<number>;
}

/**
 * KEYS: one counter per turn to number (a session twice for two of its turns); ARGV: the seed of
 * each (used when Redis has no counter), then the TTL in seconds. Returns the turns' numbers in
 * order: one call numbers a whole batch, atomically.
 */
const NEXT_TURNS_SCRIPT = `
local ttl = ARGV[#ARGV]
local numbers = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[i], 'EX', ttl, 'NX')
  numbers[i] = redis.call('INCR', key)
  redis.call('EXPIRE', key, ttl)
end
return numbers
`;

interface ScriptedRedis extends Redis {
  mangaAssistNextTurns(...keysThenArgs: (string | number)[]): Promise<number[]>;
}

interface Waiting {
  key: string;
  seed: number;
  resolve(seq: number): void;
  reject(error: unknown): void;
}

/**
 * A Redis counter per session (seeded from the stored session when Redis has none), retried while
 * Redis is away so a turn waits for its number rather than being lost or numbered twice. The turns
 * asked for within `batchWindowMs` are numbered by one script call: on a busy gateway one Redis
 * call serves many answers. The counters of a batch are different keys, so they must live on one
 * Redis node (as the response cache's must).
 */
export function createTurnSequence({
  redis,
  keyPrefix = 'ma:',
  ttlSeconds = 7 * 24 * 3600,
  retryMs = 500,
  maxWaitMs = 10 * 60_000,
  batchWindowMs = 5,
  maxBatch = 100,
}: {
  redis: Redis;
  keyPrefix?: string;
  ttlSeconds?: number;
  retryMs?: number;
  maxWaitMs?: number;
  /** How long the first turn of a batch waits for others; 0: the turns of one event-loop turn. */
  batchWindowMs?: number;
  maxBatch?: number;
}): TurnSequence {
  redis.defineCommand('mangaAssistNextTurns', { lua: NEXT_TURNS_SCRIPT });
  const scripted = redis as ScriptedRedis;
  const number = async (batch: Waiting[]) => {
    const deadline = Date.now() + maxWaitMs;
    const args = [batch.length, ...batch.map((w) => w.key), ...batch.map((w) => w.seed), ttlSeconds];
    for (;;) {
      try {
        const numbers = await scripted.mangaAssistNextTurns(...args);
        batch.forEach((w, i) => w.resolve(Number(numbers[i])));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          for (const w of batch) w.reject(error);
          return;
        }
        await new Promise((r) => setTimeout(r, retryMs).unref());
      }
    }
  };
  const waiting = createWindowedBatch<Waiting>({ windowMs: batchWindowMs, maxSize: maxBatch, flush: (batch) => void number(batch) });
  return {
    next(sessionId, knownLastSeq) {
      return new Promise<number>((resolve, reject) => waiting.add({ key: `${keyPrefix}turn-seq:${sessionId}`, seed: knownLastSeq, resolve, reject }));
    },
  };
}
