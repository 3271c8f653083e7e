import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { IRateLimiterOptions } from 'rate-limiter-flexible';
import { Counter } from '@manga-assist/telemetry';
import type { Logger, Registry } from '@manga-assist/telemetry';
import type { LimitsSettings } from './limits-config';

/** The rate limits, each counted per key (a user id, an IP, a webhook source) over a window. */
export const RATE_LIMITS = ['messages', 'analyses', 'new_connections_per_ip', 'webhook_deliveries'] as const;
export type RateLimitName = (typeof RATE_LIMITS)[number];
/** The concurrent-connection limits. */
export type ConnectionLimitName = 'connections_per_user' | 'connections_per_ip';

export type LimitDecision = { allowed: true } | { allowed: false; limit: RateLimitName; retryAfterMs: number };

export type ConnectionLease =
  | { allowed: true; /** Gives the slots back (on close); safe to call twice. */ release(): Promise<void> }
  | { allowed: false; limit: ConnectionLimitName; retryAfterMs: number };

export interface FairLimits {
  /**
   * Counts one request against `limit` for `key` (a user id, an IP, a source) and says whether it
   * may go ahead; refused requests are counted in `manga_assist_limit_refused_total`. Never throws:
   * without Redis each instance limits on its own (rate-limiter-flexible's insurance limiter).
   */
  consume(limit: RateLimitName, key: string): Promise<LimitDecision>;
  /**
   * Takes a slot for one open connection of `userId` from `ip`, or says which limit is full. The
   * slot counts while this instance's liveness key in Redis lives (refreshed every third of
   * LIMIT_CONNECTION_LEASE_S, one key for all its connections): an instance that dies leaks its
   * slots for LIMIT_CONNECTION_LEASE_S at most.
   */
  openConnection(connectionId: string, userId: string, ip: string): Promise<ConnectionLease>;
  /** Stops refreshing leases (their connections are closing anyway). */
  close(): void;
}

export interface FairLimitsDeps {
  config: LimitsSettings & { KEY_PREFIX: string };
  redis: Redis;
  registry: Registry;
  log: Pick<Logger, 'warn'>;
}

// How long a client over a connection limit is told to wait: it must close a connection first, so
// there is no exact time; long enough that a retry loop does not hammer the upgrade.
const CONNECTION_RETRY_MS = 5_000;
// At most one log line per limit this often while Redis is away (the metric counts every request).
const FALLBACK_LOG_MS = 10_000;

/**
 * Takes a slot in both sets or none. A member is `<instance>/<connectionId>`; it counts while its
 * instance's liveness key exists, so an instance keeps all of its leases alive with one key (its
 * heartbeat costs the same for one connection as for ten thousand), and the members of an instance
 * that died are dropped here, at the next open on the same set, once that key has run out. One
 * EXISTS per distinct instance in the set, whatever the number of members.
 * The opening instance's own key is made if missing ('opened': the heartbeat then writes all of its
 * leases again). KEYS: ip set, user set. ARGV: member, max per IP, max per user, prefix of the
 * liveness keys, set TTL ms, own liveness key, lease ms. Returns 1 taken, -1 IP full, -2 user full.
 */
const OPEN_SCRIPT = `
redis.call('SET', ARGV[6], 'opened', 'PX', ARGV[7], 'NX')
local alive = {}
local function live(member)
  local instance = string.match(member, '^(.-)/')
  if instance == nil then return false end
  if alive[instance] == nil then alive[instance] = redis.call('EXISTS', ARGV[4] .. instance) == 1 end
  return alive[instance]
end
local function count(key)
  local n = 0
  for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    if member == ARGV[1] or live(member) then n = n + 1 else redis.call('ZREM', key, member) end
  end
  return n
end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and count(KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) == false and count(KEYS[2]) >= tonumber(ARGV[3]) then return -2 end
redis.call('ZADD', KEYS[1], 0, ARGV[1])
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1
`;

// A set nobody opened a connection on for this long goes: longer than any token lets a socket live.
const LEASE_SET_TTL_MS = 24 * 3600_000;
/** What the heartbeat writes into an instance's liveness key (an open writes 'opened' when it is missing). */
const BEAT = 'beat';

/** A memory limiter that reports each time it stands in for Redis. */
class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    options: IRateLimiterOptions,
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }): Promise<RateLimiterRes> {
    this.onUse();
    return super.consume(key, points, options);
  }
}

/**
 * Fair limits for every gateway instance at once: rate limits with rate-limiter-flexible
 * (RateLimiterRedis on the gateway's Redis connection, keys under KEY_PREFIX), concurrent
 * connections with leases in Redis sorted sets. When Redis is away the product degrades instead of
 * refusing everyone: each instance limits on its own (rates) or lets connections in uncounted.
 */
export function createFairLimits({ config, redis, registry, log }: FairLimitsDeps): FairLimits {
  const refused = new Counter({
    name: 'manga_assist_limit_refused_total',
    help: 'Requests and connections refused by a fair limit, by limit.',
    labelNames: ['limit'],
    registers: [registry],
  });
  const fallbacks = new Counter({
    name: 'manga_assist_limit_store_unavailable_total',
    help: 'Limit checks made without Redis (counted by this instance alone, or let through), by limit.',
    labelNames: ['limit'],
    registers: [registry],
  });
  const lastLogged = new Map<string, number>();
  const storeUnavailable = (limit: string, error?: unknown) => {
    fallbacks.inc({ limit });
    const now = Date.now();
    if (now - (lastLogged.get(limit) ?? 0) < FALLBACK_LOG_MS) return;
    lastLogged.set(limit, now);
    log.warn({ limit, err: error instanceof Error ? error.message : undefined }, 'Redis is unavailable: fair limits are counted by this instance alone');
  };

  const windows: Record<RateLimitName, { points: number; duration: number }> = {
    messages: { points: config.LIMIT_MESSAGES, duration: config.LIMIT_MESSAGES_WINDOW_S },
    analyses: { points: config.LIMIT_ANALYSES_PER_HOUR, duration: 3600 },
    new_connections_per_ip: { points: config.LIMIT_NEW_CONNECTIONS_PER_IP_PER_SECOND, duration: 1 },
    webhook_deliveries: { points: config.LIMIT_WEBHOOKS_PER_SOURCE_PER_SECOND, duration: 1 },
  };
  const limiters = Object.fromEntries(
    RATE_LIMITS.map((name) => {
      const { points, duration } = windows[name];
      const keyPrefix = `${config.KEY_PREFIX}limits:${name}`;
      const limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix,
        points,
        duration,
        // Not waiting for a reconnect: the insurance limiter answers at once while Redis is away.
        rejectIfRedisNotReady: true,
        // Keys refused many times over are answered from memory until their window ends (no round trip).
        inMemoryBlockOnConsumed: points * 2,
        insuranceLimiter: new InsuranceLimiter({ keyPrefix, points, duration }, () => storeUnavailable(name)),
      });
      return [name, limiter];
    }),
  ) as Record<RateLimitName, RateLimiterRedis>;

  const leaseMs = config.LIMIT_CONNECTION_LEASE_S * 1000;
  const ipKey = (ip: string) => `${config.KEY_PREFIX}limits:connections:ip:${ip}`;
  const userKey = (userId: string) => `${config.KEY_PREFIX}limits:connections:user:${userId}`;
  const livenessPrefix = `${config.KEY_PREFIX}limits:instance:`;
  /** This set of limits is one instance: its leases count while this key exists. */
  const instanceId = randomUUID();
  const livenessKey = livenessPrefix + instanceId;
  const memberOf = (connectionId: string) => `${instanceId}/${connectionId}`;
  /** This instance's open connections. */
  const open = new Map<string, { ip: string; userId: string }>();
  /**
   * Keeps this instance's liveness key for another lease, every third of one. The key was missing
   * or only an open had made it again (Redis restarted or was flushed, or this process stalled past
   * a whole lease): the leases are written again, so connections let in meanwhile count again.
   */
  const beat = async () => {
    const previous = await redis.set(livenessKey, BEAT, 'PX', leaseMs, 'GET');
    if (previous === BEAT || open.size === 0) return;
    const entries = [...open];
    for (let at = 0; at < entries.length; at += 500) {
      const pipeline = redis.pipeline();
      for (const [connectionId, { ip, userId }] of entries.slice(at, at + 500)) {
        pipeline.zadd(ipKey(ip), 0, memberOf(connectionId)).pexpire(ipKey(ip), LEASE_SET_TTL_MS);
        pipeline.zadd(userKey(userId), 0, memberOf(connectionId)).pexpire(userKey(userId), LEASE_SET_TTL_MS);
      }
      await pipeline.exec();
    }
  };
  const heartbeat = setInterval(() => void beat().catch((error: unknown) => storeUnavailable('connections', error)), Math.max(1000, Math.floor(leaseMs / 3)));
  heartbeat.unref();

  return {
    async consume(limit, key) {
      try {
        await limiters[limit].consume(key);
        return { allowed: true };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          refused.inc({ limit });
          return { allowed: false, limit, retryAfterMs: Math.max(1, Math.ceil(rejection.msBeforeNext)) };
        }
        // Neither Redis nor the insurance limiter answered: let it through.
        storeUnavailable(limit, rejection);
        return { allowed: true };
      }
    },

    async openConnection(connectionId, userId, ip) {
      let taken: number;
      try {
        taken = (await redis.eval(OPEN_SCRIPT, 2, ipKey(ip), userKey(userId), memberOf(connectionId), config.LIMIT_CONNECTIONS_PER_IP, config.LIMIT_CONNECTIONS_PER_USER, livenessPrefix, LEASE_SET_TTL_MS, livenessKey, leaseMs)) as number;
      } catch (error) {
        storeUnavailable('connections', error);
        taken = 1;
      }
      if (taken !== 1) {
        const limit: ConnectionLimitName = taken === -1 ? 'connections_per_ip' : 'connections_per_user';
        refused.inc({ limit });
        return { allowed: false, limit, retryAfterMs: CONNECTION_RETRY_MS };
      }
      open.set(connectionId, { ip, userId });
      let released = false;
      return {
        allowed: true,
        async release() {
          if (released) return;
          released = true;
          open.delete(connectionId);
          // Without Redis the lease simply runs out.
          await redis
            .multi()
            .zrem(ipKey(ip), memberOf(connectionId))
            .zrem(userKey(userId), memberOf(connectionId))
            .exec()
            .catch((error: unknown) => storeUnavailable('connections', error));
        },
      };
    },

    close() {
      clearInterval(heartbeat);
    },
  };
}
