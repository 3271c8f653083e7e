// Redis's memory as the health-checker exports it, read from a private redis-server (the shared
// one's settings are not ours to change): filled past 75 % of a 4 MB maxmemory, then past it with
// an evicting policy, and a default server with no limit and noeviction.
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { createMetricsRegistry } from '@manga-assist/telemetry';
import { freePort, spawnProcess, waitFor } from '@manga-assist/testing';
import type { SpawnedProcess } from '@manga-assist/testing';
import { registerRedisMemoryMetrics } from '../src/redis-memory';

// Above the start-up wait below: a busy machine may take seconds to start a redis-server.
jest.setTimeout(30_000);

const MAX = 4 * 1024 * 1024;
const started: { server: SpawnedProcess; redis: Redis }[] = [];

async function privateRedis(...args: string[]): Promise<{ server: SpawnedProcess; redis: Redis }> {
  const port = await freePort();
  const server = spawnProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args]);
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 100 });
  // Stopped in afterAll even when the wait below fails, or the server outlives the run and Jest never exits.
  started.push({ server, redis });
  await waitFor(() => redis.connect().then(() => true, () => false), { timeoutMs: 10_000, description: 'private redis-server' });
  await waitFor(() => redis.status === 'ready', { timeoutMs: 5000 });
  return { server, redis };
}

const value = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(series))?.split(' ').pop());

describe('Redis memory metrics', () => {
  afterAll(async () => {
    for (const { server, redis } of started) {
      redis.disconnect();
      await server.stop('SIGTERM');
    }
  });

  it('shows how full Redis is against maxmemory, its evictions and its policy, in a form promtool accepts', async () => {
    const r = await privateRedis('--maxmemory', String(MAX), '--maxmemory-policy', 'allkeys-lru');
    const registry = createMetricsRegistry('health-checker', { defaultMetrics: false });
    registerRedisMemoryMetrics({ redis: r.redis, registry });
    const first = await registry.metrics();
    expect(value(first, 'manga_assist_redis_memory_max_bytes')).toBe(MAX);
    expect(first).toContain('manga_assist_redis_maxmemory_policy_info{policy="allkeys-lru",app="health-checker"} 1');
    expect(value(first, 'manga_assist_redis_evicted_keys_total')).toBe(0);

    // About 3.5 MB of values: past 75 % of the limit, not yet evicting.
    const chunk = 'x'.repeat(10_000);
    for (let i = 0; i < 330; i++) await r.redis.set(`fill:${i}`, chunk);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const full = await registry.metrics();
    expect(value(full, 'manga_assist_redis_memory_used_bytes') / MAX).toBeGreaterThan(0.75);

    // Past the limit: Redis evicts, and the counter shows it.
    for (let i = 330; i < 800; i++) await r.redis.set(`fill:${i}`, chunk);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const evicting = await registry.metrics();
    expect(value(evicting, 'manga_assist_redis_evicted_keys_total')).toBeGreaterThan(0);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: evicting, encoding: 'utf8' });
    expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({ status: 0, output: '' });
  });

  it('reads a default server as unlimited with noeviction, and skips a scrape while Redis is down', async () => {
    const r = await privateRedis();
    const registry = createMetricsRegistry('health-checker', { defaultMetrics: false });
    registerRedisMemoryMetrics({ redis: r.redis, registry });
    const text = await registry.metrics();
    expect(value(text, 'manga_assist_redis_memory_max_bytes')).toBe(0);
    expect(text).toContain('manga_assist_redis_maxmemory_policy_info{policy="noeviction",app="health-checker"} 1');

    await r.server.stop('SIGKILL');
    await waitFor(() => r.redis.status !== 'ready', { timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The scrape answers at once with the last figures instead of waiting on a dead connection.
    expect(value(await registry.metrics(), 'manga_assist_redis_memory_max_bytes')).toBe(0);
  });
});
