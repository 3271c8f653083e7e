import type { ModelEvent, ModelProvider } from '@manga-assist/fm';
import { createMetricsRegistry } from '@manga-assist/telemetry';
import { ModelBudgetExceededError, createModelCostBreaker } from './model-cost-breaker';

const quiet = { info: () => undefined, warn: () => undefined };

describe('model cost breaker', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  const gauge = async (registry: ReturnType<typeof createMetricsRegistry>, name: string) =>
    Number((await registry.metrics()).match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm'))?.[1]);

  it('admits calls up to the budget, opens on the one that reaches it, and closes once they age out of the window', async () => {
    const registry = createMetricsRegistry('post-processor', { defaultMetrics: false });
    const breaker = createModelCostBreaker({ limit: 3, windowMs: 60_000, registry, log: quiet });
    const changes: boolean[] = [];
    breaker.onChange((open) => changes.push(open));

    expect(await gauge(registry, 'manga_assist_model_cost_breaker_open')).toBe(0);
    expect([breaker.tryAcquire(), breaker.tryAcquire()]).toEqual([true, true]);
    expect(breaker.isOpen()).toBe(false);
    jest.advanceTimersByTime(10_000);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.isOpen()).toBe(true);
    expect(changes).toEqual([true]);
    expect(await gauge(registry, 'manga_assist_model_cost_breaker_open')).toBe(1);
    expect(await gauge(registry, 'manga_assist_model_cost_breaker_calls')).toBe(3);
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.retryInMs()).toBe(50_000);

    // The first two calls leave the window at 60 s: room for two more, so it closes.
    jest.advanceTimersByTime(50_001);
    expect(breaker.isOpen()).toBe(false);
    expect(changes).toEqual([true, false]);
    expect(await gauge(registry, 'manga_assist_model_cost_breaker_open')).toBe(0);
    expect(await gauge(registry, 'manga_assist_model_cost_breaker_calls')).toBe(1);
    expect(await gauge(registry, 'manga_assist_model_cost_breaker_refused_total')).toBe(1);
    breaker.close();
  });

  it('stops a call before it reaches the model while open', () => {
    const registry = createMetricsRegistry('post-processor', { defaultMetrics: false });
    const breaker = createModelCostBreaker({ limit: 1, windowMs: 60_000, registry, log: quiet });
    let reached = 0;
    const model: ModelProvider = {
      name: 'local',
      async *stream(): AsyncIterable<ModelEvent> {
        reached++;
        yield { type: 'end', stopReason: 'end_turn' };
      },
    };
    const guarded = breaker.guard(model);
    const request = { profile: 'haiku' as const, system: '', messages: [] };
    void guarded.stream(request)[Symbol.asyncIterator]().next();
    expect(() => guarded.stream(request)).toThrow(ModelBudgetExceededError);
    expect(reached).toBe(1);
    breaker.close();
  });

  it('refuses a budget that is not a positive whole number', () => {
    const registry = createMetricsRegistry('post-processor', { defaultMetrics: false });
    expect(() => createModelCostBreaker({ limit: 0, windowMs: 1000, registry, log: quiet })).toThrow(/limit must be a positive integer/);
  });
});
