import { spawnSync } from 'node:child_process';
import type { LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Registry } from '@manga-assist/telemetry';
import { pause, waitFor } from '@manga-assist/testing';
import { createConnectionPool } from '../src';
import type { ConnectionPool } from '../src';
import { get, sample, startCountingServer } from './support/counting-server';
import type { CountingServer } from './support/counting-server';

let server: CountingServer;
const pools: ConnectionPool[] = [];

beforeEach(async () => {
  server = await startCountingServer();
});

afterEach(async () => {
  for (const pool of pools.splice(0)) pool.destroy();
  await server.close();
});

function pool(options: Parameters<typeof createConnectionPool>[0]): ConnectionPool {
  const created = createConnectionPool(options);
  pools.push(created);
  return created;
}

describe('a connection pool', () => {
  it('queues requests beyond maxSockets, times their wait, and reuses its sockets', async () => {
    const registry = new Registry();
    const search = pool({ name: 'search', settings: { maxSockets: 2 }, registry });

    server.hold();
    const burst = Array.from({ length: 6 }, () => get(`${server.url}/burst`, search.httpAgent));
    await waitFor(() => server.pending() === 2, { description: 'two held requests' });
    expect(search.stats()).toEqual({ active: 2, idle: 0, queued: 4, max: 2, utilization: 1 });
    const during = await registry.metrics();
    expect(sample(during, 'manga_assist_pool_sockets_in_use{pool="search"}')).toBe(2);
    expect(sample(during, 'manga_assist_pool_queued_requests{pool="search"}')).toBe(4);
    expect(sample(during, 'manga_assist_pool_utilization_ratio{pool="search"}')).toBe(1);

    await pause(60);
    server.release();
    expect(await Promise.all(burst)).toEqual(Array(6).fill('ok'));

    const text = await registry.metrics();
    const wait = 'manga_assist_pool_checkout_wait_seconds';
    expect(sample(text, `${wait}_count{pool="search"}`)).toBe(6);
    // The first two got a socket at once; the other four waited out the 60 ms hold.
    expect(sample(text, `${wait}_bucket{le="0.025",pool="search"}`)).toBe(2);
    expect(sample(text, `${wait}_sum{pool="search"}`)).toBeGreaterThanOrEqual(4 * 0.055);

    // 20 more, one after another and then all at once: still the same two connections.
    for (let i = 0; i < 10; i++) await get(`${server.url}/sequential`, search.httpAgent);
    await Promise.all(Array.from({ length: 10 }, () => get(`${server.url}/concurrent`, search.httpAgent)));
    expect(server.answered()).toBe(26);
    expect(server.connections()).toBe(2);
    await waitFor(() => search.stats().idle === 2, { description: 'both sockets idle' });
    expect(search.stats()).toEqual({ active: 0, idle: 2, queued: 0, max: 2, utilization: 0 });
    const after = await registry.metrics();
    expect(sample(after, 'manga_assist_pool_connections_opened_total{pool="search"}')).toBe(2);
    expect(sample(after, 'manga_assist_pool_sockets_idle{pool="search"}')).toBe(2);
  });

  it('pre-warms connections that later requests reuse', async () => {
    const registry = new Registry();
    const model = pool({ name: 'model', registry });

    await expect(model.warm(`${server.url}/warm`, 3)).resolves.toBe(3);
    expect(server.connections()).toBe(3);
    await waitFor(() => model.stats().idle === 3, { description: 'three idle sockets' });

    server.hold();
    const calls = Array.from({ length: 3 }, () => get(`${server.url}/ask`, model.httpAgent));
    await waitFor(() => server.pending() === 3, { description: 'three held requests' });
    expect(model.stats()).toMatchObject({ active: 3, idle: 0, queued: 0 });
    server.release();
    await Promise.all(calls);
    expect(server.connections()).toBe(3);

    // Already warm: a second call reuses the idle sockets rather than opening more.
    await waitFor(() => model.stats().idle === 3, { description: 'three idle sockets again' });
    await expect(model.warm(`${server.url}/warm`, 3)).resolves.toBe(3);
    expect(server.connections()).toBe(3);
    expect(sample(await registry.metrics(), 'manga_assist_pool_connections_opened_total{pool="model"}')).toBe(3);
  });

  it('reports a failed warm-up in its count instead of throwing', async () => {
    const model = pool({ name: 'model', settings: { connectTimeoutMs: 200 } });
    const closed = await startCountingServer();
    await closed.close();
    await expect(model.warm(`${closed.url}/`, 2)).resolves.toBe(0);
    await expect(model.warm('ftp://127.0.0.1/', 1)).rejects.toThrow('warm: ftp://127.0.0.1/ is not an http or https URL');
  });

  it('resolves host names with the lookup it is given, once per new connection', async () => {
    const asked: string[] = [];
    // A name real DNS cannot answer: a response proves this lookup was the one used.
    const lookup = ((hostname: string, options: LookupOptions, callback: (...args: unknown[]) => void) => {
      asked.push(hostname);
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    }) as LookupFunction;
    const search = pool({ name: 'search', lookup });
    const url = `http://pool-test.invalid:${server.port}/lookup`;

    expect(await get(url, search.httpAgent)).toBe('ok');
    expect(await get(url, search.httpAgent)).toBe('ok');
    expect(asked).toEqual(['pool-test.invalid']);
    expect(server.connections()).toBe(1);
  });

  it('fails a connection that is not ready within connectTimeoutMs', async () => {
    const registry = new Registry();
    // A lookup that never answers keeps the socket connecting.
    const lookup = (() => undefined) as unknown as LookupFunction;
    const dynamodb = pool({ name: 'dynamodb', settings: { connectTimeoutMs: 150 }, lookup, registry });

    const started = Date.now();
    const error = await get(`http://stuck.invalid:${server.port}/`, dynamodb.httpAgent).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ETIMEDOUT',
      message: `Pool "dynamodb": connecting to stuck.invalid:${server.port} took longer than 150 ms`,
    });
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(() => dynamodb.stats().active === 0, { description: 'the failed socket removed' });
    expect(dynamodb.stats()).toMatchObject({ idle: 0, queued: 0 });
    expect(sample(await registry.metrics(), 'manga_assist_pool_connections_opened_total{pool="dynamodb"}')).toBe(0);
  });

  it('exposes metrics promtool accepts, one series per pool, dropped on destroy', async () => {
    const registry = new Registry();
    const model = pool({ name: 'model', registry });
    const kinesis = pool({ name: 'kinesis', registry });
    await get(`${server.url}/`, kinesis.httpAgent);

    const text = await registry.metrics();
    for (const name of ['sockets_in_use', 'sockets_idle', 'queued_requests', 'utilization_ratio']) {
      expect(sample(text, `manga_assist_pool_${name}{pool="model"}`)).toBe(0);
    }
    expect(sample(text, 'manga_assist_pool_sockets_idle{pool="kinesis"}')).toBe(1);
    expect(sample(text, 'manga_assist_pool_checkout_wait_seconds_count{pool="kinesis"}')).toBe(1);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, output: check.stdout + check.stderr, error: check.error?.message }).toEqual({
      status: 0,
      output: '',
      error: undefined,
    });

    expect(() => createConnectionPool({ name: 'model', registry })).toThrow(
      'Pool "model" is already registered on this metrics registry',
    );
    model.destroy();
    const afterDestroy = await registry.metrics();
    expect(afterDestroy).not.toContain('pool="model"');
    expect(afterDestroy).toContain('pool="kinesis"');
    // The name is free again once its pool is gone.
    pool({ name: 'model', registry });
  });
});
