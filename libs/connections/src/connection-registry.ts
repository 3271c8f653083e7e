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
  /** An entry not refreshed for this long is gone (its instance died): pushes to it find no one. */
  ttlMs?: number;
  /** How often this instance refreshes its entries and sweeps those of dead instances (default ttl / 3). */
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
  /** Records that this instance holds `connectionId` (written at once; Redis away: the next heartbeat writes it). */
  register(connectionId: string): void;
  unregister(connectionId: string): void;
  /** Connections held here. */
  size(): number;
  /** Refreshes this instance's entries and removes those of instances that stopped beating. */
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

/**
 * Which gateway instance holds which connection, in Redis, so a push for a connection goes to that
 * instance alone. Entries expire unless their instance refreshes them; an instance that stopped
 * beating is swept (its entries deleted) by the next heartbeat of any other.
 */
export function createConnectionRegistry(options: ConnectionRegistryOptions): ConnectionRegistry {
  const { redis, keyPrefix, instanceId, log } = options;
  const ttlMs = options.ttlMs ?? 15_000;
  const heartbeatMs = options.heartbeatMs ?? Math.max(100, Math.floor(ttlMs / 3));
  const held = new Set<string>();
  const setKey = instanceConnectionsKey(keyPrefix, instanceId);
  let timer: NodeJS.Timeout | undefined;
  let lastError: string | null = null;
  const warn = (error: unknown, msg: string) => {
    const text = (error as Error).message;
    if (text !== lastError) log?.warn({ err: text, instanceId }, msg);
    lastError = text;
  };

  const registry: ConnectionRegistry = {
    instanceId,
    register(connectionId) {
      held.add(connectionId);
      redis
        .multi()
        .set(connectionKey(keyPrefix, connectionId), instanceId, 'PX', ttlMs)
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
      const pipeline = redis.pipeline();
      // SET rather than PEXPIRE: entries lost while Redis was away are written again.
      for (const id of held) pipeline.set(connectionKey(keyPrefix, id), instanceId, 'PX', ttlMs);
      if (held.size > 0) pipeline.sadd(setKey, ...held).pexpire(setKey, ttlMs * 4);
      pipeline.eval(BEAT_AND_SWEEP, 1, instancesKey(keyPrefix), instanceId, ttlMs, keyPrefix);
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
      const swept = results.at(-1)?.[1] as string[] | undefined;
      if (swept && swept.length > 0) log?.warn({ instances: swept, instanceId }, 'connection registry: swept instances that stopped beating');
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
      const ids = [...held];
      held.clear();
      const multi = redis.multi();
      if (ids.length > 0) multi.del(...ids.map((id) => connectionKey(keyPrefix, id)));
      await multi.del(setKey).zrem(instancesKey(keyPrefix), instanceId).exec();
    },
  };
  return registry;
}
