import { Writable } from 'node:stream';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { createReadiness } from './readiness';
import { createWarmUp } from './warm-up';

const logger = createLogger({ app: 'chat-gateway', destination: new Writable({ write: (_c, _e, done) => done() }) });

const failUnless = (up: boolean, message: string) => {
  if (!up) throw new Error(message);
};

describe('degradable dependencies', () => {
  it('keep the app ready while failing, and are listed as degraded', async () => {
    let cacheUp = true;
    let storeUp = true;
    const readiness = createReadiness({
      logger,
      checks: [
        { name: 'redis', degradable: true, check: async () => failUnless(cacheUp, 'connect ECONNREFUSED') },
        { name: 'catalog', check: async () => failUnless(storeUp, 'index still loading') },
      ],
    });
    await readiness.refresh();
    expect([readiness.isReady(), readiness.degraded()]).toEqual([true, []]);

    cacheUp = false;
    await readiness.refresh();
    expect(readiness.isReady()).toBe(true);
    expect(readiness.reason()).toBeNull();
    expect(readiness.degraded()).toEqual(['redis: connect ECONNREFUSED']);

    storeUp = false;
    await readiness.refresh();
    expect(readiness.isReady()).toBe(false);
    expect(readiness.reason()).toBe('catalog: index still loading');

    cacheUp = storeUp = true;
    await readiness.refresh();
    expect([readiness.isReady(), readiness.degraded()]).toEqual([true, []]);
  });
});

describe('warm-up', () => {
  it('holds readiness until every step has succeeded once, retrying failed steps, and exports the time', async () => {
    const registry = createMetricsRegistry('chat-gateway', { defaultMetrics: false });
    let modelCalls = 0;
    const warmUp = createWarmUp({
      logger,
      registry,
      retryMs: 10,
      steps: [
        { name: 'redis', run: async () => undefined },
        {
          name: 'model',
          run: async () => {
            modelCalls += 1;
            if (modelCalls < 3) throw new Error('endpoint not answering yet');
          },
        },
      ],
    });
    const readiness = createReadiness({ logger, checks: [warmUp.check] });
    await readiness.refresh();
    expect(readiness.reason()).toBe('warm-up: redis (not started), model (not started)');

    warmUp.start();
    await new Promise((r) => setTimeout(r, 5));
    await readiness.refresh();
    expect(readiness.isReady()).toBe(false);
    expect(readiness.reason()).toBe('warm-up: model (endpoint not answering yet)');

    await warmUp.done;
    await readiness.refresh();
    expect(readiness.isReady()).toBe(true);
    expect(modelCalls).toBe(3);
    const text = await registry.metrics();
    expect(text).toMatch(/manga_assist_warmup_seconds\{step="model",app="chat-gateway"\} 0\.0\d+/);
    expect(text).toMatch(/manga_assist_warmup_seconds\{step="all",app="chat-gateway"\} /);
  });
});
