import { Writable } from 'node:stream';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { createReadiness } from './readiness';
import { createServiceServer } from './service-server';

function quietLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger({ app: 'post-processor', destination }), lines };
}

describe('service server', () => {
  let redisUp = true;
  const { logger, lines } = quietLogger();
  const readiness = createReadiness({
    logger,
    timeoutMs: 50,
    checks: [
      {
        name: 'redis',
        check: async () => {
          if (!redisUp) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
        },
      },
      { name: 'catalog', check: async () => undefined },
    ],
  });
  const registry = createMetricsRegistry('post-processor', { defaultMetrics: false });
  const { server } = createServiceServer({ app: 'post-processor', version: '1.2.3', logger, registry, readiness });

  let base = '';
  const get = async (path: string) => {
    const res = await fetch(base + path);
    return { statusCode: res.status, headers: res.headers, body: await res.text() };
  };
  const json = async (path: string) => {
    const res = await get(path);
    return { statusCode: res.statusCode, json: () => JSON.parse(res.body) };
  };

  beforeAll(async () => {
    base = await server.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => server.close());

  it('reports not ready before the first check has run', async () => {
    const res = await json('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json().reason).toBe('redis: not checked yet');
  });

  it('is alive regardless of dependencies', async () => {
    redisUp = false;
    await readiness.refresh();
    const res = await json('/healthz');
    expect(res.statusCode).toBe(200);
  });

  it('answers 503 naming the failing dependency, and 200 once it is back', async () => {
    redisUp = false;
    await readiness.refresh();
    let res = await json('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ready: false, reason: 'redis: connect ECONNREFUSED 127.0.0.1:6379' });

    redisUp = true;
    await readiness.refresh();
    res = await json('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ app: 'post-processor', version: '1.2.3', ready: true, reason: null });
    expect(lines.some((l) => l['msg'] === 'redis is available again')).toBe(true);
  });

  it('counts a check that hangs as failed', async () => {
    const slow = createReadiness({
      logger,
      timeoutMs: 20,
      checks: [{ name: 'dynamodb', check: () => new Promise<void>(() => undefined) }],
    });
    await slow.refresh();
    expect(slow.reason()).toBe('dynamodb: no answer within 20 ms');
  });

  it('exports readiness per dependency as Prometheus text', async () => {
    redisUp = false;
    await readiness.refresh();
    const res = await get('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.body).toContain('manga_assist_dependency_up{dependency="redis",app="post-processor"} 0');
    expect(res.body).toContain('manga_assist_dependency_up{dependency="catalog",app="post-processor"} 1');
    expect(res.body).toContain('manga_assist_ready{app="post-processor"} 0');
  });
});
