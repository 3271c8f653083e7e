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

/** Waits until `deadline` (performance.now() time); rejects as soon as the signal aborts. */
export function sleepUntil(deadline: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (deadline <= performance.now()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    // Timers run on the event loop's cached clock, which can lag a busy loop by milliseconds, so
    // one may fire early: re-arm until the deadline has really passed.
    const arm = () => {
      const ms = deadline - performance.now();
      if (ms > 0) {
        timer = setTimeout(arm, Math.ceil(ms));
        return;
      }
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    arm();
  });
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
