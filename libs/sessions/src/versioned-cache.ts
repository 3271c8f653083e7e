import type { Redis } from 'ioredis';
import type { Logger } from '@manga-assist/aws';
import { frameCacheValue, unframeCacheValue } from './cache-frame';

// SET only when the cached copy is not newer: two writers finishing out of order, or a read-through
// of an older copy racing a write, must not put an older version back over a newer one.
const SET_IF_NOT_OLDER = `
local current = redis.call('GET', KEYS[1])
if current then
  local cached = tonumber(string.match(current, '^.(%d+):'))
  if cached and cached > tonumber(ARGV[3]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
`;

export interface VersionedCacheOptions {
  redis: Redis;
  ttlSeconds: number;
  compressOverBytes: number;
  log: Logger;
  /** Least time between two warnings about Redis failing, so an outage does not flood the log. */
  warnEveryMs?: number;
}

/**
 * Redis in front of DynamoDB for versioned values. Never throws: while Redis is down every read
 * is a miss and every write a no-op, and the caller carries on against DynamoDB.
 */
export interface VersionedCache {
  /** The cached value, or undefined on a miss, an undecodable value or a Redis failure. */
  get(key: string): Promise<unknown>;
  /** Caches `value` as `version` unless a newer version is cached; on failure drops the key. */
  put(key: string, version: number, value: unknown): Promise<void>;
}

export function createVersionedCache({
  redis,
  ttlSeconds,
  compressOverBytes,
  log,
  warnEveryMs = 10_000,
}: VersionedCacheOptions): VersionedCache {
  let lastWarnAt = -Infinity;
  const warn = (key: string, op: string, error: unknown): void => {
    const now = Date.now();
    if (now - lastWarnAt < warnEveryMs) return;
    lastWarnAt = now;
    log.warn({ key, op, err: error instanceof Error ? error.message : String(error) }, 'session cache unavailable');
  };

  return {
    async get(key) {
      let frame: Buffer | null;
      try {
        frame = await redis.getBuffer(key);
      } catch (error) {
        warn(key, 'get', error);
        return undefined;
      }
      if (frame === null) return undefined;
      try {
        return unframeCacheValue(frame).value;
      } catch (error) {
        log.warn({ key, err: error instanceof Error ? error.message : String(error) }, 'ignoring undecodable cached value');
        return undefined;
      }
    },

    async put(key, version, value) {
      try {
        await redis.eval(SET_IF_NOT_OLDER, 1, key, frameCacheValue(version, value, compressOverBytes), ttlSeconds, version);
      } catch (error) {
        warn(key, 'set', error);
        // Whatever is cached may now be older than the store; better a miss than a stale hit.
        await redis.del(key).catch(() => undefined);
      }
    },
  };
}
