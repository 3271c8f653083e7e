import { TimeoutStrategy, timeout } from 'cockatiel';

export interface DeadlineOptions {
  /** Lets the process exit while the work is still pending (background checks, lookups). */
  unref?: boolean;
}

/**
 * Runs `work` for at most `ms` (cockatiel's aggressive timeout): past it, rejects with
 * `onTimeout()` and aborts the signal given to `work`, whose own outcome is then ignored. The timer
 * is cleared as soon as `work` settles, so nothing is left pending.
 */
export async function withDeadline<T>(
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
  onTimeout: () => Error,
  { unref = false }: DeadlineOptions = {},
): Promise<T> {
  const base = timeout(ms, TimeoutStrategy.Aggressive);
  const policy = unref ? base.dangerouslyUnref() : base;
  let timedOut = false;
  const listener = policy.onTimeout(() => {
    timedOut = true;
  });
  try {
    return await policy.execute(({ signal }) => work(signal));
  } catch (error) {
    // Only the deadline maps to onTimeout: work's own errors (cockatiel's included) pass through.
    if (timedOut) throw onTimeout();
    throw error;
  } finally {
    listener.dispose();
  }
}
