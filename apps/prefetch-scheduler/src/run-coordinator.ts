import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RunCoordinator } from 'node-cron';

// Deletes the key only if it still holds our token: never another replica's claim.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface RedisRunCoordinator extends RunCoordinator {
  /** Gives a slot back after a failed run, so another replica may take it. */
  release(key: string): Promise<void>;
}

/**
 * Exactly one replica runs each slot: the first to `SET key token NX PX ttl` wins. A finished slot
 * keeps its key until the TTL ends (a late replica must not run it again); a failed run releases it.
 */
export function createRedisRunCoordinator({ redis, keyPrefix, instanceId }: { redis: Redis; keyPrefix: string; instanceId: string }): RedisRunCoordinator {
  const tokens = new Map<string, string>();
  return {
    async shouldRun(key, ttlMs) {
      const token = `${instanceId}:${randomBytes(8).toString('hex')}`;
      const won = (await redis.set(`${keyPrefix}cron:${key}`, token, 'PX', Math.max(1000, ttlMs), 'NX')) === 'OK';
      if (won) tokens.set(key, token);
      return won;
    },
    onComplete(key) {
      tokens.delete(key);
    },
    async release(key) {
      const token = tokens.get(key);
      if (!token) return;
      tokens.delete(key);
      await redis.eval(RELEASE, 1, `${keyPrefix}cron:${key}`, token);
    },
  };
}
