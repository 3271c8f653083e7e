// Redis's own memory figures, read with INFO at scrape time: how full it is against maxmemory, how
// many keys it evicted, and its eviction policy. The queues (BullMQ) need `noeviction`, and the
// design alarms at 75 % of maxmemory, well before evictions or refused writes. ElastiCache allows
// INFO (not CONFIG), so everything here comes from INFO.
import type { Redis } from 'ioredis';
import { withDeadline } from '@manga-assist/resilience';
import { Counter, Gauge } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

export interface RedisMemory {
  usedBytes: number;
  /** 0 when no limit is set. */
  maxBytes: number;
  policy: string;
  evictedKeys: number;
}

/** The fields of an INFO reply (`key:value` lines; sections and comments skipped). */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}

export async function readRedisMemory(redis: Redis): Promise<RedisMemory> {
  const info = parseInfo(`${await redis.info('memory')}\n${await redis.info('stats')}`);
  const number = (key: string) => {
    const value = Number(info.get(key));
    if (!Number.isFinite(value)) throw new Error(`INFO has no numeric ${key}`);
    return value;
  };
  return { usedBytes: number('used_memory'), maxBytes: number('maxmemory'), policy: info.get('maxmemory_policy') ?? 'unknown', evictedKeys: number('evicted_keys') };
}

/**
 * Registers the Redis memory metrics; each scrape reads INFO once (skipped while the connection is
 * not ready, or after `timeoutMs`, so a Redis outage never stalls /metrics).
 */
export function registerRedisMemoryMetrics({ redis, registry, timeoutMs = 1000 }: { redis: Redis; registry: Registry; timeoutMs?: number }): void {
  let snapshot: Promise<RedisMemory | null> | null = null;
  let lastEvicted: number | null = null;
  /** One INFO read shared by the collect() calls of one scrape. */
  const read = () => {
    snapshot ??= (async () => {
      if (redis.status !== 'ready') return null;
      try {
        return await withDeadline(timeoutMs, () => readRedisMemory(redis), () => new Error('INFO took too long'));
      } catch {
        return null;
      }
    })().finally(() => setTimeout(() => (snapshot = null), 100).unref());
    return snapshot;
  };

  new Counter({
    name: 'manga_assist_redis_evicted_keys_total',
    help: 'Keys Redis evicted to stay under maxmemory (INFO evicted_keys); queue keys among them are lost jobs.',
    registers: [registry],
    async collect() {
      const memory = await read();
      if (!memory) return;
      // INFO counts from the server's start: add what is new since the last scrape (all of it after a restart).
      if (lastEvicted !== null) this.inc(memory.evictedKeys >= lastEvicted ? memory.evictedKeys - lastEvicted : memory.evictedKeys);
      lastEvicted = memory.evictedKeys;
    },
  });
  new Gauge({
    name: 'manga_assist_redis_memory_used_bytes',
    help: 'Memory Redis uses (INFO used_memory).',
    registers: [registry],
    async collect() {
      const memory = await read();
      if (memory) this.set(memory.usedBytes);
    },
  });
  new Gauge({
    name: 'manga_assist_redis_memory_max_bytes',
    help: 'Redis maxmemory (0: no limit).',
    registers: [registry],
    async collect() {
      const memory = await read();
      if (memory) this.set(memory.maxBytes);
    },
  });
  new Gauge({
    name: 'manga_assist_redis_maxmemory_policy_info',
    help: 'Redis maxmemory-policy, as a label (1 for the current one). The queues need noeviction.',
    labelNames: ['policy'],
    registers: [registry],
    async collect() {
      const memory = await read();
      if (!memory) return;
      this.reset();
      this.set({ policy: memory.policy }, 1);
    },
  });
}
