/** The error an aborted stream rejects with: the signal's own reason when it is an Error. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  // DOMException is an Error in Node, but not across realms (test runners): check the shape too.
  if (typeof reason === 'object' && reason !== null && 'name' in reason && 'message' in reason) return reason as Error;
  const error = new Error('The model stream was aborted');
  error.name = 'AbortError';
  return error;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** Waits for successive deadlines of one stream (its tokens), under one abort listener. */
export interface Sleeper {
  /** Resolves once `deadline` (performance.now() time) has passed; rejects as soon as the signal aborts. */
  until(deadline: number): Promise<void>;
  /** Stops listening to the signal (call when the stream ends). */
  release(): void;
}

/**
 * One listener on the signal for the whole stream rather than one per token: adding and removing
 * an abort listener allocates more than the timer it guards, once per token.
 */
export function createSleeper(signal: AbortSignal | undefined): Sleeper {
  let timer: NodeJS.Timeout | undefined;
  let fail: ((error: Error) => void) | undefined;
  const onAbort = () => {
    clearTimeout(timer);
    fail?.(abortReason(signal as AbortSignal));
    fail = undefined;
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    until(deadline) {
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      if (deadline <= performance.now()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        fail = reject;
        // Timers run on the event loop's cached clock, which can lag a busy loop by milliseconds,
        // so one may fire early: re-arm until the deadline has really passed.
        const arm = () => {
          const ms = deadline - performance.now();
          if (ms > 0) {
            timer = setTimeout(arm, Math.ceil(ms));
            return;
          }
          fail = undefined;
          resolve();
        };
        arm();
      });
    },
    release() {
      clearTimeout(timer);
      fail = undefined;
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * A controller for one upstream request that follows the caller's signal and can also be aborted on
 * its own: a consumer that stops reading early must not leave the connection streaming into nowhere.
 */
export function linkedAbortController(signal: AbortSignal | undefined): { controller: AbortController; release(): void } {
  const controller = new AbortController();
  if (signal === undefined) return { controller, release: () => undefined };
  const follow = () => controller.abort(signal.reason);
  signal.addEventListener('abort', follow, { once: true });
  return { controller, release: () => signal.removeEventListener('abort', follow) };
}
