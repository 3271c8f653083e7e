import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** The Redis tests use: REDIS_URL when set, else the machine's default instance. */
export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * A key prefix no other run can produce. The test Redis is shared by every run on the machine,
 * so every key a test writes starts with one of these and is deleted with it afterwards.
 */
export function uniquePrefix(label: string): string {
  return `t:${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key starting with `prefix` (SCAN + UNLINK, never KEYS); returns how many. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string, { count = 500 } = {}): Promise<number> {
  // An empty prefix would match the whole shared instance.
  if (prefix.length === 0) throw new Error('deleteKeysWithPrefix: refusing an empty prefix');
  const pattern = `${escapeGlob(prefix)}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

// SCAN MATCH is a glob: a prefix holding `*`, `?`, `[`, `]` or `\` must match only itself.
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
