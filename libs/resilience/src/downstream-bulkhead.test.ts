import { waitFor } from '@manga-assist/testing';
import type { DownstreamPolicies } from './index';
import { DownstreamUnavailableError, createDownstreamPolicies } from './index';

let policies: DownstreamPolicies;
afterEach(() => policies?.dispose());

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('bulkhead', () => {
  it('runs `limit` calls, queues `queue` more and refuses the next at once', async () => {
    policies = createDownstreamPolicies({ settings: { dynamodb: { bulkhead: { limit: 2, queue: 2 } } } });
    const dynamodb = policies.get('dynamodb');
    const release = gate();
    const started: number[] = [];
    const calls = [1, 2, 3, 4].map((n) =>
      dynamodb.execute(async () => {
        started.push(n);
        await release.opened;
        return n;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([1, 2]);
    expect(dynamodb.load()).toEqual({ executing: 2, queued: 2, limit: 2, queue: 2 });
    expect(dynamodb.canRun()).toBe(false);
    expect(policies.states().find((s) => s.downstream === 'dynamodb')).toMatchObject({ executing: 2, queued: 2, limit: 2, queueLimit: 2 });

    const fifth = jest.fn(async () => 5);
    const refused = await dynamodb.execute(fifth).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DownstreamUnavailableError);
    expect(refused).toMatchObject({ downstream: 'dynamodb', reason: 'bulkhead-full' });
    expect(fifth).not.toHaveBeenCalled();
    expect(started).toEqual([1, 2]); // the refusal did not wait for a slot

    release.open();
    await expect(Promise.all(calls)).resolves.toEqual([1, 2, 3, 4]);
    expect(dynamodb.load()).toMatchObject({ executing: 0, queued: 0 });
    expect(dynamodb.canRun()).toBe(true);
  });

  it('with no queue, refuses the call after `limit`', async () => {
    policies = createDownstreamPolicies({ settings: { redis: { bulkhead: { limit: 1, queue: 0 } } } });
    const redis = policies.get('redis');
    const release = gate();
    const running = redis.execute(() => release.opened);
    await expect(redis.execute(async () => 'x')).rejects.toMatchObject({ reason: 'bulkhead-full' });
    release.open();
    await running;
  });

  it('gives a queued call no more than the timeout, and never runs it afterwards', async () => {
    policies = createDownstreamPolicies({
      settings: {
        redis: { timeoutMs: 50, retry: { maxAttempts: 2, initialDelayMs: 300, maxDelayMs: 300 }, bulkhead: { limit: 1, queue: 1 } },
      },
    });
    const redis = policies.get('redis');
    // Fails at once, then holds the only slot through a 150-300 ms backoff: past the queued call's deadline.
    const holder = redis.execute(() => Promise.reject(new Error('busy')), { idempotent: true }).catch((e: unknown) => e);
    await Promise.resolve();
    const queuedFn = jest.fn(async () => 'late');
    const queued = redis.execute(queuedFn);
    expect(redis.load()).toMatchObject({ executing: 1, queued: 1 });
    await expect(queued).rejects.toMatchObject({ reason: 'timeout' });
    expect(await holder).toMatchObject({ reason: 'timeout' });
    await waitFor(() => redis.load().executing === 0 && redis.load().queued === 0, {
      timeoutMs: 2_000,
      intervalMs: 10,
      description: 'bulkhead empty',
    });
    expect(queuedFn).not.toHaveBeenCalled();
  });

  it('keeps each downstream in its own bulkhead', async () => {
    policies = createDownstreamPolicies({ settings: { sonnet: { bulkhead: { limit: 1, queue: 0 } } } });
    const release = gate();
    const busy = policies.get('sonnet').execute(() => release.opened);
    expect(policies.get('sonnet').canRun()).toBe(false);
    await expect(policies.get('haiku').execute(async () => 'haiku')).resolves.toBe('haiku');
    release.open();
    await busy;
  });
});
