import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Writable } from 'node:stream';
import { Counter, createLogger, createMetricsRegistry } from './index';

describe('createLogger', () => {
  it('writes JSON lines naming the app and the level', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ app: 'chat-gateway', destination: sink });
    logger.info({ port: 3000 }, 'listening');
    logger.debug('not at info level');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ app: 'chat-gateway', level: 'info', port: 3000, msg: 'listening' });
  });
});

describe('createMetricsRegistry', () => {
  it('labels every series with the app and keeps registries apart', async () => {
    const a = createMetricsRegistry('a', { defaultMetrics: false });
    const b = createMetricsRegistry('b', { defaultMetrics: false });
    new Counter({ name: 'jobs_total', help: 'Jobs.', registers: [a] }).inc(2);
    expect(await a.metrics()).toContain('jobs_total{app="a"} 2');
    expect(await b.metrics()).not.toContain('jobs_total');
  });

  it('includes process metrics by default', async () => {
    const text = await createMetricsRegistry('c').metrics();
    expect(text).toContain('manga_assist_process_cpu_seconds_total{app="c"}');
    // Gauges named like counters fail `promtool check metrics`.
    expect(text).not.toMatch(/^# TYPE \S+_total gauge$/m);
  });

  it('reports the heap that survived the last full collection', async () => {
    const registry = createMetricsRegistry('d');
    // Something that survives, then a full collection.
    const survivor = Array.from({ length: 200_000 }, (_, i) => ({ i }));
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const bytes = Number(/^manga_assist_nodejs_heap_after_full_gc_bytes\{app="d"\} (\d+)/m.exec(await registry.metrics())?.[1]);
    expect(bytes).toBeGreaterThan(survivor.length * 8);
    expect(survivor).toHaveLength(200_000);
  });
});
