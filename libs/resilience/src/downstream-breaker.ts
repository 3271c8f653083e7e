import {
  BrokenCircuitError,
  CircuitState,
  EventEmitter,
  IsolatedCircuitError,
  TaskCancelledError,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';
import type { CircuitBreakerPolicy, IDisposable } from 'cockatiel';
import { WindowBreaker } from './window-breaker';

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface BreakerTransition {
  from: BreakerState;
  to: BreakerState;
}

export interface DownstreamBreakerOptions {
  failures: number;
  windowMs: number;
  cooldownMs: number;
  successesToClose: number;
  /** Clock of the failure window. The cooldown runs on cockatiel's clock (`Date.now`). */
  now: () => number;
  /** Errors that count against the downstream; any other error passes through uncounted. */
  isFailure: (error: Error) => boolean;
}

type Admission = 'closed' | 'half-open-trial' | 'recovery-trial';

/**
 * Cockatiel's circuit breaker (failure counting through WindowBreaker, the cooldown, the first
 * half-open trial) with the recovery this project wants on top: cockatiel closes after one good
 * trial, so the breaker reports half-open until `successesToClose` trials in a row have succeeded.
 * At most one trial runs at a time; every other call is refused at once while the breaker is not
 * closed (cockatiel would make them wait for the trial instead).
 */
export class DownstreamBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private readonly window: WindowBreaker;
  private readonly transitions = new EventEmitter<BreakerTransition>();
  private readonly subscription: IDisposable;
  private lastCockatielState = CircuitState.Closed;
  private openedAt = 0;
  /** Increments on every opening, so a trial from an earlier round cannot count towards this one. */
  private round = 0;
  /** Trial successes still needed after cockatiel has closed. */
  private successesNeeded = 0;
  private trialInFlight = false;
  private reported: BreakerState = 'closed';
  private cooldownTimer: NodeJS.Timeout | undefined;

  /** Fires once per change of `state()`, including the move to half-open when the cooldown ends. */
  readonly onTransition = this.transitions.addListener;

  constructor(private readonly options: DownstreamBreakerOptions) {
    this.window = new WindowBreaker(options.failures, options.windowMs, options.now, () => this.successesNeeded > 0);
    this.policy = circuitBreaker(handleWhen(options.isFailure), {
      halfOpenAfter: options.cooldownMs,
      breaker: this.window,
    });
    this.subscription = this.policy.onStateChange((next) => this.onCockatielState(next));
  }

  state(): BreakerState {
    switch (this.policy.state) {
      case CircuitState.Isolated:
        return 'isolated';
      case CircuitState.Open:
        return this.cooldownOver() ? 'half-open' : 'open';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return this.successesNeeded > 0 ? 'half-open' : 'closed';
    }
  }

  /** Whether a call now would run (as a normal call or as the trial) rather than be refused. */
  admits(): boolean {
    return this.admission() !== null;
  }

  /** Failures counted inside the window (zero while open). */
  recentFailures(): number {
    return this.window.recentFailures();
  }

  /** The error (or result) of the call that last counted as a failure. */
  lastFailure(): unknown {
    const last = this.policy.lastFailure;
    return last && 'error' in last ? last.error : last?.value;
  }

  /**
   * Runs fn through the breaker. Throws BrokenCircuitError (IsolatedCircuitError when isolated)
   * without calling fn when the breaker refuses, TaskCancelledError when `signal` is already aborted.
   */
  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) throw new TaskCancelledError();
    const admission = this.admission();
    if (admission === null) {
      throw this.policy.state === CircuitState.Isolated ? new IsolatedCircuitError() : new BrokenCircuitError();
    }
    if (admission === 'closed') return this.policy.execute(({ signal: s }) => fn(s), signal);
    const round = this.round;
    this.trialInFlight = true;
    try {
      const value = await this.policy.execute(({ signal: s }) => fn(s), signal);
      if (admission === 'recovery-trial' && round === this.round && this.successesNeeded > 0) this.successesNeeded--;
      return value;
    } finally {
      this.trialInFlight = false;
      this.sync();
    }
  }

  /** Holds the breaker open (state 'isolated') until every handle is disposed. */
  isolate(): IDisposable {
    return this.policy.isolate();
  }

  dispose(): void {
    clearTimeout(this.cooldownTimer);
    this.subscription.dispose();
  }

  private admission(): Admission | null {
    switch (this.policy.state) {
      case CircuitState.Closed:
        if (this.successesNeeded === 0) return 'closed';
        return this.trialInFlight ? null : 'recovery-trial';
      case CircuitState.Open:
        return this.cooldownOver() && !this.trialInFlight ? 'half-open-trial' : null;
      default:
        // HalfOpen: cockatiel's trial is running. Isolated: held open.
        return null;
    }
  }

  /** `openedAt` is taken just after cockatiel's own, so when this says over, cockatiel agrees. */
  private cooldownOver(): boolean {
    return Date.now() - this.openedAt >= this.options.cooldownMs;
  }

  private onCockatielState(next: CircuitState): void {
    const previous = this.lastCockatielState;
    this.lastCockatielState = next;
    clearTimeout(this.cooldownTimer);
    this.cooldownTimer = undefined;
    switch (next) {
      case CircuitState.Open:
        this.openedAt = Date.now();
        this.round++;
        this.successesNeeded = 0;
        this.window.reset();
        this.scheduleCooldownEnd();
        break;
      case CircuitState.HalfOpen:
        this.window.halfOpenPassed = false;
        break;
      case CircuitState.Closed:
        // From half-open, cockatiel's single good trial counts as the first of successesToClose; a
        // trial that ended without a verdict (cancelled by its caller) counts as none.
        this.successesNeeded =
          previous === CircuitState.HalfOpen
            ? this.options.successesToClose - (this.window.halfOpenPassed ? 1 : 0)
            : 0;
        this.window.reset();
        break;
      case CircuitState.Isolated:
        this.successesNeeded = 0;
        this.window.reset();
        break;
    }
    this.sync();
  }

  /** Reports the move from open to half-open when the cooldown ends, without waiting for a call. */
  private scheduleCooldownEnd(): void {
    const wait = Math.max(1, this.openedAt + this.options.cooldownMs - Date.now());
    this.cooldownTimer = setTimeout(() => {
      this.cooldownTimer = undefined;
      this.sync();
      if (this.policy.state === CircuitState.Open && !this.cooldownOver()) this.scheduleCooldownEnd();
    }, wait);
    this.cooldownTimer.unref();
  }

  private sync(): void {
    const to = this.state();
    if (to === this.reported) return;
    const from = this.reported;
    this.reported = to;
    this.transitions.emit({ from, to });
  }
}
