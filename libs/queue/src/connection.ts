import type { RedisOptions } from 'bullmq';

/** ioredis options for BullMQ from a redis:// URL. */
export function bullConnection(redisUrl: string, overrides: Partial<RedisOptions> = {}): RedisOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password || undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    ...overrides,
  };
}
