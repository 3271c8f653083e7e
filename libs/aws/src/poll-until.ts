/** Polls with a backoff from 25 ms to 1 s: local engines answer at once, AWS takes seconds. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs, what }: { timeoutMs: number; what: string },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 25;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() + delay > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 1000);
  }
}
