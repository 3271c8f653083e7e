import type { Redis } from 'ioredis';
import { connectionKey, instanceConnectionsKey, instancesKey } from './connection-keys';

export interface RegistryLogger {
  warn(obj: object, msg?: string): void;
}

export interface ConnectionRegistryOptions {
  redis: Redis;
  keyPrefix: string;
  /** This gateway instance; unique per process (a restarted process is a new instance). */
  instanceId: string;
  /** An instance silent for this long is dead: the next heartbeat of any other removes its entries. */
  ttlMs?: number;
  /** How often this instance beats and sweeps dead instances (default ttl / 3). */
  heartbeatMs?: number;
  log?: RegistryLogger;
}

export interface RegistryStats {
  /** Instances whose heartbeat is younger than the TTL. */
  instances: number;
  /** Connections registered by those instances. */
  connections: number;
}

export interface ConnectionRegistry {
  readonly instanceId: string;
  /**
   * Records that this instance holds `connectionId` until it is unregistered, its instance is swept,
   * or `expiresAt` (ms since the epoch; default a day on) passes: the connection cannot outlive its
   * token. Written at once; Redis away: the next heartbeat writes it.
   */
  register(connectionId: string, expiresAt?: number): void;
  unregister(connectionId: string): void;
  /** Connections held here. */
  size(): number;
  /**
   * Says this instance is alive and removes the entries of instances that stopped beating: a few
   * commands, whatever the number of connections held. Entries Redis lost (a restart, a flush) are
   * written again.
   */
  heartbeat(): Promise<void>;
  /** Starts the heartbeat (the first one at once). */
  start(): void;
  stats(): Promise<RegistryStats>;
  /** Stops the heartbeat and removes this instance and its entries. */
  close(): Promise<void>;
}

// Redis time (ms) so that instances with skewed clocks judge each other by one clock.
const NOW = `local t = redis.call('time') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: instances; ARGV: instanceId, ttlMs, keyPrefix. Beats for this instance, then removes every
// instance silent for longer than the TTL with the entries it still owns. Returns the ids removed.
const BEAT_AND_SWEEP = `${NOW}
redis.call('zadd', KEYS[1], now, ARGV[1])
redis.call('pexpire', KEYS[1], 86400000)
local dead = redis.call('zrangebyscore', KEYS[1], '-inf', now - tonumber(ARGV[2]))
for _, inst in ipairs(dead) do
  local set = ARGV[3] .. 'instance:' .. inst .. ':conns'
  for _, c in ipairs(redis.call('smembers', set)) do
    local k = ARGV[3] .. 'conn:' .. c
    if redis.call('get', k) == inst then redis.call('del', k) end
  end
  redis.call('del', set)
  redis.call('zrem', KEYS[1], inst)
end
return dead`;

// KEYS: instances; ARGV: ttlMs, keyPrefix. Live instances and the connections they registered.
const STATS = `${NOW}
local live = redis.call('zrangebyscore', KEYS[1], now - tonumber(ARGV[1]), '+inf')
local n = 0
for _, inst in ipairs(live) do n = n + redis.call('scard', ARGV[2] .. 'instance:' .. inst .. ':conns') end
return { #live, n }`;

// An entry registered without the connection's end in sight lives this long at most.
const DEFAULT_LIFETIME_MS = 24 * 3600_000;

/**
 * Which gateway instance holds which connection, in Redis, so a push for a connection goes to that
 * instance alone. An entry lives until its connection closes or its token expires; an instance that
 * stopped beating is swept (its entries deleted) by the next heartbeat of any other. The heartbeat
 * touches the instance, not its connections, so ten thousand idle sockets cost Redis nothing.
 */
export function createConnectionRegistry(options: ConnectionRegistryOptions): ConnectionRegistry {
  const { redis, keyPrefix, instanceId, log } = options;
  const ttlMs = options.ttlMs ?? 15_000;
  const heartbeatMs = options.heartbeatMs ?? Math.max(100, Math.floor(ttlMs / 3));
  /** The connections held here, with when each entry expires (ms since the epoch). */
  const held = new Map<string, number>();
  const setKey = instanceConnectionsKey(keyPrefix, instanceId);
  let timer: NodeJS.Timeout | undefined;
  let lastError: string | null = null;
  const warn = (error: unknown, msg: string) => {
    const text = (error as Error).message;
    if (text !== lastError) log?.warn({ err: text, instanceId }, msg);
    lastError = text;
  };

  const rewrite = async () => {
    const entries = [...held];
    const now = Date.now();
    for (let at = 0; at < entries.length; at += 500) {
      const batch = entries.slice(at, at + 500);
      const pipeline = redis.pipeline();
      for (const [id, expiresAt] of batch) pipeline.set(connectionKey(keyPrefix, id), instanceId, 'PX', Math.max(1, expiresAt - now));
      await pipeline.sadd(setKey, ...batch.map(([id]) => id)).pexpire(setKey, ttlMs * 4).exec();
    }
  };

  const registry: ConnectionRegistry = {
    instanceId,
    register(connectionId, until) {
      const expiresAt = until !== undefined && Number.isFinite(until) ? until : Date.now() + DEFAULT_LIFETIME_MS;
      held.set(connectionId, expiresAt);
      redis
        .multi()
        .set(connectionKey(keyPrefix, connectionId), instanceId, 'PX', Math.max(1, expiresAt - Date.now()))
        .sadd(setKey, connectionId)
        .pexpire(setKey, ttlMs * 4)
        .exec()
        .catch((error: unknown) => warn(error, 'connection registry: could not register a connection'));
    },
    unregister(connectionId) {
      if (!held.delete(connectionId)) return;
      redis
        .multi()
        .del(connectionKey(keyPrefix, connectionId))
        .srem(setKey, connectionId)
        .exec()
        .catch((error: unknown) => warn(error, 'connection registry: could not unregister a connection'));
    },
    size: () => held.size,
    async heartbeat() {
      const [[expireError], [countError, stored], beat] = (await redis
        .pipeline()
        .pexpire(setKey, ttlMs * 4)
        .scard(setKey)
        .eval(BEAT_AND_SWEEP, 1, instancesKey(keyPrefix), instanceId, ttlMs, keyPrefix)
        .exec()) as [[Error | null, unknown], [Error | null, number], [Error | null, string[]]];
      const failed = expireError ?? countError ?? beat[0];
      if (failed) throw failed;
      // Fewer entries than connections: Redis lost some (restarted, flushed). Written again in batches.
      if (stored < held.size) await rewrite();
      const swept = beat[1];
      if (swept.length > 0) log?.warn({ instances: swept, instanceId }, 'connection registry: swept instances that stopped beating');
      lastError = null;
    },
    start() {
      if (timer) return;
      const beat = () => void registry.heartbeat().catch((error: unknown) => warn(error, 'connection registry: heartbeat failed'));
      beat();
      timer = setInterval(beat, heartbeatMs);
      timer.unref();
    },
    async stats() {
      const [instances, connections] = (await redis.eval(STATS, 1, instancesKey(keyPrefix), ttlMs, keyPrefix)) as [number, number];
      return { instances, connections };
    },
    async close() {
      clearInterval(timer);
      timer = undefined;
      const ids = [...held.keys()];
      held.clear();
      const multi = redis.multi();
      if (ids.length > 0) multi.del(...ids.map((id) => connectionKey(keyPrefix, id)));
      await multi.del(setKey).zrem(instancesKey(keyPrefix), instanceId).exec();
    },
  };
  return registry;
}
