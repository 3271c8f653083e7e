export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Names what was awaited in the timeout error. */
  description?: string;
  /** Stops waiting (rejecting with the signal's reason) once aborted. */
  signal?: AbortSignal;
}

/**
 * Polls `fn` until it returns a truthy value and resolves with that value. A throw counts as
 * "not yet"; the last one is quoted in the timeout error so a failing test says why.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 5000, intervalMs = 50, description = 'condition', signal }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      // An attempt that never settles (a request to a hung server) must not outlive the deadline.
      const value = await within(deadline - Date.now(), `an attempt at ${description}`, fn());
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError === undefined ? '' : `; last error: ${errorMessage(lastError)}`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}${detail}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `step`, or a rejection naming `what` once `ms` have passed: a hung step fails instead of waiting forever. */
export async function within<T>(ms: number, what: string, step: T | Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} was still running after ${ms} ms`)), Math.max(0, ms));
  });
  try {
    return await Promise.race([step, late]);
  } finally {
    clearTimeout(timer);
  }
}

// By shape rather than instanceof: errors from Node's own realm fail instanceof under Jest.
function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
