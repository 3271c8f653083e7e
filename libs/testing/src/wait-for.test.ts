import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('resolves with the first truthy value, treating throws as not yet', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return calls === 3 ? 0 : 'done';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('done');
    expect(calls).toBe(4);
  });

  it('times out naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 30, intervalMs: 5, description: 'the server' },
      ),
    ).rejects.toThrow(/waiting for the server; last error: connection refused/);
  });

  it('times out even when an attempt never settles', async () => {
    const started = Date.now();
    await expect(waitFor(() => new Promise(() => undefined), { timeoutMs: 50, description: 'a hung server' })).rejects.toThrow(
      /waiting for a hung server; last error: an attempt at a hung server was still running after/,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  }, 5000);
});
