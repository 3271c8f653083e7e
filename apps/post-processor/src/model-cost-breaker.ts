import type { ModelProvider } from '@manga-assist/fm';
import { Counter, Gauge } from '@manga-assist/telemetry';
import type { Logger, Registry } from '@manga-assist/telemetry';

export interface ModelCostBreakerOptions {
  /** Most model calls this process makes per window; the one that reaches it opens the breaker. */
  limit: number;
  /** The window's length (5 minutes in production). */
  windowMs: number;
  registry: Registry;
  log: Pick<Logger, 'info' | 'warn'>;
}

export interface ModelCostBreaker {
  /** Counts one model call and returns true while the window has room; false (nothing counted) while open. */
  tryAcquire(): boolean;
  isOpen(): boolean;
  /** How long until the window has room again (0 while closed). */
  retryInMs(): number;
  /** Called with true when the breaker opens and false when it closes again. */
  onChange(listener: (open: boolean) => void): void;
  /** The model provider with every call counted: a call while open throws ModelBudgetExceededError before reaching the model. */
  guard(model: ModelProvider): ModelProvider;
  close(): void;
}

/** A model call refused because this process used its budget of calls for the current window. */
export class ModelBudgetExceededError extends Error {
  constructor(readonly retryInMs: number) {
    super(`model cost breaker open: the budget of model calls per window is used up; room again in ${Math.ceil(retryInMs / 1000)} s`);
    this.name = 'ModelBudgetExceededError';
  }
}

/**
 * Model calls per sliding window in this process, against a budget: the call that reaches the
 * budget opens the breaker (its listeners pause the queues whose jobs call the model, and the
 * `manga_assist_model_cost_breaker_open` gauge raises the alert); it closes again once calls have
 * aged out of the window below the budget. A loop or flood that slipped past every other guard
 * costs at most `limit` calls per window.
 */
export function createModelCostBreaker({ limit, windowMs, registry, log }: ModelCostBreakerOptions): ModelCostBreaker {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`model cost breaker: limit must be a positive integer (got ${limit})`);
  const calls: number[] = [];
  const listeners: ((open: boolean) => void)[] = [];
  let open = false;
  let timer: NodeJS.Timeout | undefined;

  const prune = (now: number) => {
    while ((calls[0] ?? Infinity) <= now - windowMs) calls.shift();
  };
  const openGauge = new Gauge({
    name: 'manga_assist_model_cost_breaker_open',
    help: 'Whether the model cost breaker is open (1): this process used its budget of model calls for the window and paused the queues whose jobs call the model.',
    registers: [registry],
  });
  new Gauge({
    name: 'manga_assist_model_cost_breaker_calls',
    help: 'Model calls this process made within the cost breaker window.',
    registers: [registry],
    collect() {
      prune(Date.now());
      this.set(calls.length);
    },
  });
  new Gauge({
    name: 'manga_assist_model_cost_breaker_limit',
    help: 'Model calls per window at which the cost breaker opens (MODEL_COST_BREAKER_CALLS_PER_5M).',
    registers: [registry],
  }).set(limit);
  const refused = new Counter({
    name: 'manga_assist_model_cost_breaker_refused_total',
    help: 'Model calls refused while the cost breaker was open (their jobs wait for the window to have room).',
    registers: [registry],
  });

  const retryInMs = () => {
    const oldest = calls[0];
    return open && oldest !== undefined ? Math.max(0, oldest + windowMs - Date.now()) : 0;
  };
  const setOpen = (next: boolean) => {
    if (next === open) return;
    open = next;
    openGauge.set(open ? 1 : 0);
    if (open) log.warn({ limit, windowMs }, 'model cost breaker open: the queues whose jobs call the model are paused');
    else log.info({ limit, windowMs }, 'model cost breaker closed: the queues whose jobs call the model resume');
    for (const listener of listeners) listener(open);
  };
  // While open, look again when the oldest call leaves the window.
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      prune(Date.now());
      if (calls.length < limit) setOpen(false);
      else schedule();
    }, retryInMs() + 1);
    timer.unref();
  };

  const breaker: ModelCostBreaker = {
    tryAcquire() {
      const now = Date.now();
      prune(now);
      if (calls.length >= limit) {
        refused.inc();
        return false;
      }
      calls.push(now);
      if (calls.length >= limit) {
        setOpen(true);
        schedule();
      }
      return true;
    },
    isOpen: () => open,
    retryInMs,
    onChange: (listener) => void listeners.push(listener),
    guard(model) {
      return {
        name: model.name,
        stream(req) {
          if (!breaker.tryAcquire()) throw new ModelBudgetExceededError(retryInMs());
          return model.stream(req);
        },
      };
    },
    close: () => clearTimeout(timer),
  };
  openGauge.set(0);
  return breaker;
}
