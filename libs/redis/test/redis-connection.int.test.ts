import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createMetricsRegistry } from '@manga-assist/telemetry';
import { createRedisConnection } from '../src';

const logger = { info: () => undefined, warn: () => undefined };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitFor(fn: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
}

describe('redis connection', () => {
  it('reports why Redis is unusable while it is down, and recovers on its own when it returns', async () => {
    const port = await freePort();
    const conn = createRedisConnection({ url: `redis://127.0.0.1:${port}`, name: 'test', logger });
    try {
      await new Promise((r) => setTimeout(r, 200));
      await expect(conn.check()).rejects.toThrow(`ECONNREFUSED 127.0.0.1:${port}`);
      // Commands on the request path fail fast instead of queueing while Redis is away.
      const started = Date.now();
      await expect(conn.redis.get('k')).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(500);

      const server = startRedis(port);
      try {
        await waitFor(async () => {
          await conn.check();
          return true;
        });
        expect(await conn.redis.ping()).toBe('PONG');
      } finally {
        server.kill('SIGKILL');
      }
    } finally {
      await conn.close();
    }
  });
});

describe('in-flight commands', () => {
  it('are exported per connection while the server has not answered them', async () => {
    const registry = createMetricsRegistry('chat-gateway', { defaultMetrics: false });
    const connection = createRedisConnection({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', name: 'cache', logger, registry });
    try {
      await waitFor(async () => connection.check().then(() => true));
      const inFlight = async () => Number(/manga_assist_redis_commands_in_flight\{connection="cache"[^}]*\} (\d+)/.exec(await registry.metrics())?.[1]);
      expect(await inFlight()).toBe(0);
      // A blocking pop on a key nobody pushes to stays unanswered for its timeout.
      const waiting = connection.redis.blpop(`t:in-flight:${process.pid}:${Date.now()}`, 1);
      expect(await inFlight()).toBe(1);
      await waiting;
      expect(await inFlight()).toBe(0);
    } finally {
      await connection.close();
    }
  });
});
