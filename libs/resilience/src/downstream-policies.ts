import {
  EventEmitter,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  halfJitterGenerator,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
  timeout,
} from 'cockatiel';
import type { BulkheadPolicy, RetryPolicy, TimeoutPolicy } from 'cockatiel';
import type { Registry } from '@manga-assist/telemetry';
import { DownstreamBreaker } from './downstream-breaker';
import type { BreakerState } from './downstream-breaker';
import { DOWNSTREAM_NAMES, isDownstreamName, resolveDownstreamSettings } from './downstream-settings';
import type { DownstreamName, DownstreamSettings, DownstreamSettingsOverrides } from './downstream-settings';
import { DownstreamUnavailableError } from './downstream-unavailable-error';
import type { UnavailableReason } from './downstream-unavailable-error';
import { createResilienceMetrics } from './resilience-metrics';
import type { ResilienceMetrics } from './resilience-metrics';

// cockatiel 3.2.1's isTaskCancelledError and isIsolatedCircuitError test for the bulkhead error's
// marker, so TaskCancelledError is recognised with instanceof here.

export interface ResilienceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface DownstreamPoliciesOptions {
  /** Overrides on top of DEFAULT_DOWNSTREAM_SETTINGS (see `downstreamSettingsFromEnv`). */
  settings?: DownstreamSettingsOverrides;
  /** Where the metrics go; none without it. One set of policies per registry. */
  registry?: Registry;
  log?: ResilienceLogger;
  /** Clock of the breakers' failure windows (default Date.now). Cooldowns run on Date.now. */
  now?: () => number;
}

export interface DisposeHandle {
  dispose(): void;
}

export interface ExecuteOptions {
  /** Whether fn may safely run more than once: only then are failed attempts retried. */
  idempotent?: boolean;
  /** The caller giving up: aborts fn's signal and rejects with this signal's reason. */
  signal?: AbortSignal;
}

export interface DownstreamPolicy {
  readonly name: DownstreamName;
  readonly settings: Readonly<DownstreamSettings>;
  /**
   * Runs fn under, from the outside in: a fast breaker check, the timeout (the whole call: queue
   * wait, attempts and backoff), the bulkhead, retry (only if `idempotent`), the breaker (which
   * counts every attempt, timeouts included). fn's signal aborts at the timeout or when the
   * caller's signal aborts. Rejects with DownstreamUnavailableError when the breaker is open, the
   * bulkhead and its queue are full, or the time is up; with fn's own error when it fails; with
   * the caller's abort reason when the caller aborted.
   */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, opts?: ExecuteOptions): Promise<T>;
  /** Breaker state now: 'closed' | 'open' | 'half-open' | 'isolated'. */
  state(): BreakerState;
  /** False when a call now would be rejected without running (breaker open, or bulkhead and queue full). */
  canRun(): boolean;
  /** Executing and queued counts of the bulkhead. */
  load(): { executing: number; queued: number; limit: number; queue: number };
  /** Called once per state change (also when the cooldown ends and the breaker turns half-open). */
  onStateChange(listener: (state: BreakerState) => void): DisposeHandle;
  /** Holds the breaker open (state 'isolated': every call rejected) until the handle is disposed. */
  isolate(): DisposeHandle;
}

export interface DownstreamState {
  downstream: DownstreamName;
  breaker: BreakerState;
  executing: number;
  queued: number;
  limit: number;
  queueLimit: number;
  /** Failures inside the breaker's window now (counted only while closed). */
  recentFailures: number;
}

export interface DownstreamPolicies {
  get(name: DownstreamName): DownstreamPolicy;
  states(): DownstreamState[];
  /** Counts an answer served by `fallback` (e.g. 'haiku', 'cached-results') in place of `name`. */
  recordFallback(name: DownstreamName, fallback: string): void;
  /** Stops the cooldown timers and removes the metrics from the registry. */
  dispose(): void;
}

/** An attempt that failed because its caller gave up: the breaker does not count it against the downstream. */
class CancelledByCaller extends Error {
  constructor(cause: unknown) {
    super('cancelled by the caller', { cause });
  }
}

const NO_LOG: ResilienceLogger = { info: () => undefined, warn: () => undefined };

export function createDownstreamPolicies(opts: DownstreamPoliciesOptions = {}): DownstreamPolicies {
  for (const key of Object.keys(opts.settings ?? {})) {
    if (!isDownstreamName(key)) throw new Error(`Unknown downstream "${key}" in settings (known: ${DOWNSTREAM_NAMES.join(', ')})`);
  }
  const settings = new Map(DOWNSTREAM_NAMES.map((name) => [name, resolveDownstreamSettings(name, opts.settings?.[name])]));
  const policies = new Map<DownstreamName, ResilientDownstream>();
  const states = (): DownstreamState[] => [...policies.values()].map((p) => p.snapshot());
  const metrics = createResilienceMetrics(opts.registry, states);
  const log = opts.log ?? NO_LOG;
  const now = opts.now ?? (() => Date.now());
  for (const [name, s] of settings) policies.set(name, new ResilientDownstream(name, s, { metrics, log, now }));

  return {
    get(name) {
      const policy = policies.get(name);
      if (!policy) throw new Error(`Unknown downstream "${String(name)}" (known: ${DOWNSTREAM_NAMES.join(', ')})`);
      return policy;
    },
    states,
    recordFallback: (name, fallback) => metrics.fallback(name, fallback),
    dispose() {
      for (const policy of policies.values()) policy.dispose();
      metrics.dispose();
    },
  };
}

interface Deps {
  metrics: ResilienceMetrics;
  log: ResilienceLogger;
  now: () => number;
}

class ResilientDownstream implements DownstreamPolicy {
  private readonly breaker: DownstreamBreaker;
  private readonly bulkhead: BulkheadPolicy;
  private readonly timeout: TimeoutPolicy;
  private readonly retry: RetryPolicy | null;
  private readonly changes = new EventEmitter<BreakerState>();

  constructor(
    readonly name: DownstreamName,
    readonly settings: Readonly<DownstreamSettings>,
    private readonly deps: Deps,
  ) {
    const { breaker, bulkhead: b, retry: r } = settings;
    this.breaker = new DownstreamBreaker({
      ...breaker,
      now: deps.now,
      isFailure: (error) => !(error instanceof CancelledByCaller),
    });
    this.breaker.onTransition(({ from, to }) => this.onTransition(from, to));
    this.bulkhead = bulkhead(b.limit, b.queue);
    // Aggressive: a caller still waiting in the bulkhead queue is answered at the deadline too.
    this.timeout = timeout(settings.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    this.retry =
      r.maxAttempts > 1
        ? retry(
            handleWhen(
              (error) =>
                !(error instanceof CancelledByCaller) &&
                !isBrokenCircuitError(error) &&
                !(error instanceof TaskCancelledError) &&
                !isBulkheadRejectedError(error),
            ),
            {
              maxAttempts: r.maxAttempts - 1,
              backoff: new ExponentialBackoff({
                initialDelay: r.initialDelayMs,
                maxDelay: r.maxDelayMs,
                // Each delay falls in [d/2, d) for d = initial × 2^retry (capped), so they grow.
                generator: halfJitterGenerator,
              }),
            },
          )
        : null;
    this.retry?.onRetry(() => deps.metrics.retry(name));
  }

  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, opts: ExecuteOptions = {}): Promise<T> {
    const caller = opts.signal;
    if (caller?.aborted) {
      this.deps.metrics.call(this.name, 'cancelled');
      throw caller.reason;
    }
    if (!this.breaker.admits()) throw this.unavailable('breaker-open');

    const deadline = performance.now() + this.settings.timeoutMs;
    let current: Promise<T> | undefined;
    const attempt = ({ signal }: { signal: AbortSignal }) =>
      (current = this.breaker.execute(async (s) => {
        try {
          // The rest of the budget for this attempt, so that the breaker sees a slow attempt as a
          // failure at the deadline even if fn ignores its signal.
          const left = Math.max(1, Math.ceil(deadline - performance.now()));
          return await timeout(left, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }).execute(
            ({ signal: inner }) => fn(inner),
            s,
          );
        } catch (error) {
          throw caller?.aborted ? new CancelledByCaller(error) : error;
        }
      }, signal));
    const retryPolicy = opts.idempotent ? this.retry : null;
    const run = retryPolicy ? ({ signal }: { signal: AbortSignal }) => retryPolicy.execute(attempt, signal) : attempt;

    try {
      const value = await this.timeout.execute(({ signal }) => this.bulkhead.execute(run, signal), caller);
      this.deps.metrics.call(this.name, 'success');
      return value;
    } catch (error) {
      // An attempt cut off at the deadline settles a moment after the caller is answered; wait for
      // it so that the breaker has counted it by the time the caller sees the timeout.
      if (error instanceof TaskCancelledError) await current?.catch(() => undefined);
      throw this.classify(error, caller);
    }
  }

  state(): BreakerState {
    return this.breaker.state();
  }

  canRun(): boolean {
    return this.breaker.admits() && (this.bulkhead.executionSlots > 0 || this.bulkhead.queueSlots > 0);
  }

  load(): { executing: number; queued: number; limit: number; queue: number } {
    const { limit, queue } = this.settings.bulkhead;
    return { executing: limit - this.bulkhead.executionSlots, queued: queue - this.bulkhead.queueSlots, limit, queue };
  }

  onStateChange(listener: (state: BreakerState) => void): DisposeHandle {
    // A throwing listener must not break the breaker's bookkeeping, which runs around the emit.
    return this.changes.addListener((state) => {
      try {
        listener(state);
      } catch (error) {
        this.deps.log.warn({ downstream: this.name, err: error }, 'breaker state listener threw');
      }
    });
  }

  isolate(): DisposeHandle {
    return this.breaker.isolate();
  }

  snapshot(): DownstreamState {
    const { executing, queued, limit, queue } = this.load();
    return {
      downstream: this.name,
      breaker: this.breaker.state(),
      executing,
      queued,
      limit,
      queueLimit: queue,
      recentFailures: this.breaker.recentFailures(),
    };
  }

  dispose(): void {
    this.breaker.dispose();
  }

  private classify(error: unknown, caller: AbortSignal | undefined): unknown {
    if (caller?.aborted) {
      this.deps.metrics.call(this.name, 'cancelled');
      return caller.reason;
    }
    if (isBulkheadRejectedError(error)) {
      this.deps.metrics.bulkheadRejected(this.name);
      return this.unavailable('bulkhead-full', error);
    }
    if (isBrokenCircuitError(error)) return this.unavailable('breaker-open', error);
    if (error instanceof TaskCancelledError) return this.unavailable('timeout', error);
    this.deps.metrics.call(this.name, 'failure');
    return error;
  }

  private unavailable(reason: UnavailableReason, cause?: unknown): DownstreamUnavailableError {
    this.deps.metrics.call(this.name, reason === 'timeout' ? 'timeout' : 'rejected');
    return new DownstreamUnavailableError(this.name, reason, cause === undefined ? undefined : { cause });
  }

  private onTransition(from: BreakerState, to: BreakerState): void {
    this.deps.metrics.transition(this.name, to);
    const { cooldownMs, failures, windowMs } = this.settings.breaker;
    if (to === 'open') {
      this.deps.log.warn(
        { downstream: this.name, from, cooldownMs, failures, windowMs, err: this.breaker.lastFailure() },
        `${this.name} circuit breaker opened`,
      );
    } else if (to === 'closed') {
      this.deps.log.info({ downstream: this.name, from }, `${this.name} circuit breaker closed`);
    } else if (to === 'isolated') {
      this.deps.log.warn({ downstream: this.name, from }, `${this.name} circuit breaker isolated`);
    }
    this.changes.emit(to);
  }
}
