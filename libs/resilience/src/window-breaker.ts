import { CircuitState } from 'cockatiel';
import type { IBreaker } from 'cockatiel';

/**
 * A cockatiel breaker that opens after `threshold` failures within a sliding `windowMs` (cockatiel's
 * own breakers count consecutive failures, or a failure rate, not failures per time window).
 * While `onTrial()` says the downstream is still proving itself after a cooldown, one failure opens.
 */
export class WindowBreaker implements IBreaker {
  private failures: number[] = [];
  /** Whether the trial call cockatiel ran in its half-open state succeeded. */
  halfOpenPassed = false;

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly onTrial: () => boolean,
  ) {}

  get state(): unknown {
    return { failures: [...this.failures] };
  }

  set state(value: unknown) {
    const failures = (value as { failures?: unknown } | null)?.failures;
    this.failures = Array.isArray(failures) ? failures.filter((t): t is number => typeof t === 'number') : [];
  }

  success(state: CircuitState): void {
    if (state === CircuitState.HalfOpen) this.halfOpenPassed = true;
  }

  failure(state: CircuitState): boolean {
    if (state === CircuitState.HalfOpen) {
      this.halfOpenPassed = false;
      return true;
    }
    if (this.onTrial()) return true;
    const now = this.now();
    this.prune(now);
    this.failures.push(now);
    return this.failures.length >= this.threshold;
  }

  /** Failures inside the window ending now. */
  recentFailures(): number {
    this.prune(this.now());
    return this.failures.length;
  }

  reset(): void {
    this.failures = [];
  }

  private prune(now: number): void {
    const oldest = now - this.windowMs;
    let drop = 0;
    while (drop < this.failures.length && (this.failures[drop] as number) <= oldest) drop++;
    if (drop > 0) this.failures.splice(0, drop);
  }
}
