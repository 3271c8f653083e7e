import { createTestLogger } from '@manga-assist/testing';
import type { BreakerState, DownstreamPolicies, DownstreamPolicy } from './index';
import { DownstreamUnavailableError, createDownstreamPolicies } from './index';

// Fake timers drive the cooldown (cockatiel reads Date.now); the failure window runs on an
// injected clock. Nothing here depends on how fast the machine is.
const COOLDOWN_MS = 1_000;

let policies: DownstreamPolicies;
beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => {
  policies?.dispose();
  jest.useRealTimers();
});

function setup({ successesToClose = 3, windowMs = 100 } = {}) {
  let clock = 1_000;
  const log = createTestLogger();
  policies = createDownstreamPolicies({
    settings: {
      redis: {
        timeoutMs: 5_000,
        retry: { maxAttempts: 1 },
        breaker: { failures: 3, windowMs, cooldownMs: COOLDOWN_MS, successesToClose },
      },
    },
    log,
    now: () => clock,
  });
  const redis = policies.get('redis');
  const seen: BreakerState[] = [];
  redis.onStateChange((s) => seen.push(s));
  return {
    redis,
    log,
    seen,
    advance: (ms: number) => (clock += ms),
  };
}

const fail = (p: DownstreamPolicy) => p.execute(() => Promise.reject(new Error('connection reset')));
const succeed = (p: DownstreamPolicy) => p.execute(async () => 'ok');

async function openBreaker(p: DownstreamPolicy): Promise<void> {
  for (let i = 0; i < 3; i++) await expect(fail(p)).rejects.toThrow('connection reset');
  expect(p.state()).toBe('open');
}

/** Lets the cooldown run out. */
function endCooldown(p: DownstreamPolicy): void {
  jest.advanceTimersByTime(COOLDOWN_MS);
  expect(p.state()).toBe('half-open');
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('circuit breaker', () => {
  it('opens on exactly the Nth failure inside the window and logs one warning', async () => {
    const { redis, log, seen } = setup();
    await expect(fail(redis)).rejects.toThrow('connection reset');
    await expect(fail(redis)).rejects.toThrow('connection reset');
    expect(redis.state()).toBe('closed');
    expect(policies.states().find((s) => s.downstream === 'redis')?.recentFailures).toBe(2);
    await expect(fail(redis)).rejects.toThrow('connection reset');
    expect(redis.state()).toBe('open');
    expect(seen).toEqual(['open']);
    const warnings = log.entries.filter((e) => e.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toBe('redis circuit breaker opened');
    expect(warnings[0]?.obj).toMatchObject({ downstream: 'redis', from: 'closed' });
  });

  it('stays closed when the failures are spread wider than the window', async () => {
    const { redis, advance } = setup({ windowMs: 100 });
    await expect(fail(redis)).rejects.toThrow();
    advance(60);
    await expect(fail(redis)).rejects.toThrow();
    advance(60); // the first failure is now 120 ms old: outside the window
    await expect(fail(redis)).rejects.toThrow();
    expect(redis.state()).toBe('closed');
    advance(10); // failures at 60, 120 and 130: three within 100 ms
    await expect(fail(redis)).rejects.toThrow();
    expect(redis.state()).toBe('open');
  });

  it('does not count successes against failures: failures in the window still open it', async () => {
    const { redis } = setup();
    await expect(fail(redis)).rejects.toThrow();
    await succeed(redis);
    await expect(fail(redis)).rejects.toThrow();
    await succeed(redis);
    await expect(fail(redis)).rejects.toThrow();
    expect(redis.state()).toBe('open');
  });

  it('while open, rejects at once without calling the downstream', async () => {
    const { redis } = setup();
    await openBreaker(redis);
    const fn = jest.fn(async () => 'ok');
    const error = await redis.execute(fn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownstreamUnavailableError);
    expect(error).toMatchObject({ code: 'downstream_unavailable', downstream: 'redis', reason: 'breaker-open' });
    expect(fn).not.toHaveBeenCalled();
    expect(redis.canRun()).toBe(false);
  });

  it('turns half-open when the cooldown ends, before any call arrives', async () => {
    const { redis, seen } = setup();
    await openBreaker(redis);
    jest.advanceTimersByTime(COOLDOWN_MS - 1);
    expect(redis.state()).toBe('open');
    expect(redis.canRun()).toBe(false);
    jest.advanceTimersByTime(1);
    expect(redis.state()).toBe('half-open');
    expect(seen).toEqual(['open', 'half-open']);
    expect(redis.canRun()).toBe(true);
  });

  it('closes only after the configured number of successful trials', async () => {
    const { redis, seen, log } = setup({ successesToClose: 3 });
    await openBreaker(redis);
    endCooldown(redis);
    await expect(succeed(redis)).resolves.toBe('ok');
    expect(redis.state()).toBe('half-open');
    await expect(succeed(redis)).resolves.toBe('ok');
    expect(redis.state()).toBe('half-open');
    await expect(succeed(redis)).resolves.toBe('ok');
    expect(redis.state()).toBe('closed');
    expect(seen).toEqual(['open', 'half-open', 'closed']);
    expect(log.entries.filter((e) => e.level === 'info').map((e) => e.msg)).toEqual(['redis circuit breaker closed']);
  });

  it('closes after a single trial when one success is asked for', async () => {
    const { redis } = setup({ successesToClose: 1 });
    await openBreaker(redis);
    endCooldown(redis);
    await succeed(redis);
    expect(redis.state()).toBe('closed');
  });

  it('opens again on a failed first trial', async () => {
    const { redis, seen } = setup();
    await openBreaker(redis);
    endCooldown(redis);
    await expect(fail(redis)).rejects.toThrow('connection reset');
    expect(redis.state()).toBe('open');
    expect(seen).toEqual(['open', 'half-open', 'open']);
  });

  it('opens again on a failure after some successful trials, and then needs the full count again', async () => {
    const { redis, seen } = setup({ successesToClose: 3 });
    await openBreaker(redis);
    endCooldown(redis);
    await succeed(redis);
    await succeed(redis);
    await expect(fail(redis)).rejects.toThrow('connection reset');
    expect(redis.state()).toBe('open');
    expect(redis.canRun()).toBe(false);

    endCooldown(redis);
    await succeed(redis);
    await succeed(redis);
    expect(redis.state()).toBe('half-open');
    await succeed(redis);
    expect(redis.state()).toBe('closed');
    expect(seen).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('lets one trial run at a time while half-open and refuses the others at once', async () => {
    const { redis } = setup({ successesToClose: 2 });
    await openBreaker(redis);
    endCooldown(redis);
    const first = deferred<string>();
    const trial = redis.execute(() => first.promise);
    expect(redis.canRun()).toBe(false);
    await expect(succeed(redis)).rejects.toMatchObject({ reason: 'breaker-open' });
    first.resolve('first');
    await expect(trial).resolves.toBe('first');

    const second = deferred<string>();
    const trial2 = redis.execute(() => second.promise);
    await expect(succeed(redis)).rejects.toMatchObject({ reason: 'breaker-open' });
    second.resolve('second');
    await expect(trial2).resolves.toBe('second');
    expect(redis.state()).toBe('closed');
    await expect(succeed(redis)).resolves.toBe('ok');
  });

  it('does not count a trial its caller cancelled', async () => {
    const { redis } = setup({ successesToClose: 1 });
    await openBreaker(redis);
    endCooldown(redis);
    const caller = new AbortController();
    const trial = redis.execute((signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))), {
      signal: caller.signal,
    });
    caller.abort();
    await expect(trial).rejects.toMatchObject({ name: 'AbortError' });
    expect(redis.canRun()).toBe(true);
    expect(redis.state()).toBe('half-open');
    await succeed(redis);
    expect(redis.state()).toBe('closed');
  });

  it('can be isolated by hand and released', async () => {
    const { redis, seen } = setup();
    const handle = redis.isolate();
    expect(redis.state()).toBe('isolated');
    await expect(succeed(redis)).rejects.toMatchObject({ reason: 'breaker-open' });
    handle.dispose();
    expect(redis.state()).toBe('closed');
    await expect(succeed(redis)).resolves.toBe('ok');
    expect(seen).toEqual(['isolated', 'closed']);
  });

  it('keeps each downstream on its own breaker', async () => {
    const { redis } = setup();
    await openBreaker(redis);
    expect(policies.get('dynamodb').state()).toBe('closed');
    await expect(policies.get('dynamodb').execute(async () => 1)).resolves.toBe(1);
  });
});
