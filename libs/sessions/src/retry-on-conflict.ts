/** What an attempt returns when its conditional write lost to another writer. */
export const CONFLICT: unique symbol = Symbol('conflict');

const BASE_DELAY_MS = 5;
const MAX_DELAY_MS = 200;

/**
 * Runs read-modify-write `attempt`s until one is not a CONFLICT. Each attempt must re-read, so
 * it builds on whatever the winner wrote. Every round has a winner; exponential backoff with full
 * jitter spreads the losers out so a burst drains instead of colliding again in lockstep.
 */
export async function retryOnConflict<T>(
  what: string,
  maxAttempts: number,
  attempt: () => Promise<T | typeof CONFLICT>,
): Promise<T> {
  for (let n = 1; n <= maxAttempts; n++) {
    const result = await attempt();
    if (result !== CONFLICT) return result;
    if (n < maxAttempts) {
      const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** n);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
  throw new Error(`${what}: still conflicting with concurrent writers after ${maxAttempts} attempts`);
}
