import type { DownstreamPolicies } from './index';
import { DownstreamUnavailableError, createDownstreamPolicies } from './index';

let policies: DownstreamPolicies;
afterEach(() => policies?.dispose());

/** Resolves when the signal aborts, rejecting like a client that honours its AbortSignal. */
function hangUntilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('request aborted')), { once: true }));
}

describe('timeout', () => {
  it('aborts the signal given to fn and rejects with reason timeout', async () => {
    policies = createDownstreamPolicies({ settings: { 'vector-search': { timeoutMs: 30 } } });
    const search = policies.get('vector-search');
    let seen: AbortSignal | undefined;
    const error = await search
      .execute((signal) => {
        seen = signal;
        return hangUntilAborted(signal);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownstreamUnavailableError);
    expect(error).toMatchObject({ downstream: 'vector-search', reason: 'timeout' });
    expect(seen?.aborted).toBe(true);
  });

  it('counts a timeout as a breaker failure, also when fn ignores its signal', async () => {
    policies = createDownstreamPolicies({
      settings: { redis: { timeoutMs: 20, breaker: { failures: 2, windowMs: 60_000 } } },
    });
    const redis = policies.get('redis');
    const never = () => new Promise<never>(() => undefined);
    await expect(redis.execute(never)).rejects.toMatchObject({ reason: 'timeout' });
    expect(policies.states().find((s) => s.downstream === 'redis')?.recentFailures).toBe(1);
    await expect(redis.execute(never)).rejects.toMatchObject({ reason: 'timeout' });
    expect(redis.state()).toBe('open');
  });

  it('leaves a signal alone once fn has resolved (a returned stream keeps flowing)', async () => {
    policies = createDownstreamPolicies();
    let seen: AbortSignal | undefined;
    await policies.get('sonnet').execute(async (signal) => {
      seen = signal;
      return 'stream';
    });
    expect(seen?.aborted).toBe(false);
  });

  it("rejects with the caller's abort reason when the caller gives up, without counting a failure", async () => {
    policies = createDownstreamPolicies();
    const dynamodb = policies.get('dynamodb');
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const call = dynamodb.execute(
      (signal) => {
        seen = signal;
        return hangUntilAborted(signal);
      },
      { signal: caller.signal },
    );
    const reason = new Error('client went away');
    caller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(seen?.aborted).toBe(true);
    expect(policies.states().find((s) => s.downstream === 'dynamodb')?.recentFailures).toBe(0);
    await expect(dynamodb.execute(async () => 1, { signal: caller.signal })).rejects.toBe(reason);
  });

  it("passes fn's own error through unchanged", async () => {
    policies = createDownstreamPolicies();
    const error = new Error('ValidationException');
    await expect(policies.get('dynamodb').execute(() => Promise.reject(error))).rejects.toBe(error);
  });
});
