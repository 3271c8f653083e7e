import type { DownstreamPolicies } from './index';
import { createDownstreamPolicies } from './index';

let policies: DownstreamPolicies;
afterEach(() => {
  policies?.dispose();
  jest.restoreAllMocks();
});

const INITIAL_DELAY_MS = 20;

function flaky(failures: number) {
  let calls = 0;
  const fn = jest.fn(async () => {
    calls++;
    if (calls <= failures) throw new Error(`throttled ${calls}`);
    return 'ok';
  });
  return fn;
}

/** The backoff delays the retry policy asked for: timers shorter than any timeout in these tests. */
function recordDelays(): number[] {
  const delays: number[] = [];
  const original = global.setTimeout;
  jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
    if (ms !== undefined && ms < 1_000) delays.push(ms);
    return original(fn, ms);
  }) as typeof setTimeout);
  return delays;
}

function setup(maxAttempts = 4) {
  policies = createDownstreamPolicies({
    settings: {
      dynamodb: {
        timeoutMs: 10_000,
        retry: { maxAttempts, initialDelayMs: INITIAL_DELAY_MS, maxDelayMs: 1_000 },
        breaker: { failures: 50 },
      },
    },
  });
  return policies.get('dynamodb');
}

describe('retry', () => {
  it('retries an idempotent call until it succeeds', async () => {
    const dynamodb = setup();
    const fn = flaky(2);
    await expect(dynamodb.execute(fn, { idempotent: true })).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('never retries a call not marked idempotent', async () => {
    const dynamodb = setup();
    const fn = flaky(1);
    await expect(dynamodb.execute(fn)).rejects.toThrow('throttled 1');
    await expect(dynamodb.execute(flaky(1), { idempotent: false })).rejects.toThrow('throttled 1');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('gives up after maxAttempts attempts with the last error', async () => {
    const dynamodb = setup(3);
    const fn = flaky(10);
    await expect(dynamodb.execute(fn, { idempotent: true })).rejects.toThrow('throttled 3');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('waits jittered, growing delays between attempts', async () => {
    const sequences = new Set<string>();
    for (let run = 0; run < 5; run++) {
      const delays = recordDelays();
      const dynamodb = setup(4);
      await dynamodb.execute(flaky(3), { idempotent: true });
      jest.restoreAllMocks();
      policies.dispose();
      // Delay k lies in [d/2, d) for d = initial × 2^k.
      expect(delays).toHaveLength(3);
      delays.forEach((delay, k) => {
        const d = INITIAL_DELAY_MS * 2 ** k;
        expect(delay).toBeGreaterThanOrEqual(d / 2);
        expect(delay).toBeLessThan(d);
      });
      expect(delays[1]!).toBeGreaterThan(delays[0]!);
      expect(delays[2]!).toBeGreaterThan(delays[1]!);
      sequences.add(delays.join(','));
    }
    expect(sequences.size).toBeGreaterThan(1); // jittered: runs differ
  });

  it('stops retrying once the breaker opens', async () => {
    policies = createDownstreamPolicies({
      settings: {
        redis: {
          retry: { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 5 },
          breaker: { failures: 2, windowMs: 60_000 },
        },
      },
    });
    const fn = flaky(10);
    await expect(policies.get('redis').execute(fn, { idempotent: true })).rejects.toMatchObject({ reason: 'breaker-open' });
    expect(fn).toHaveBeenCalledTimes(2);
  });
});
