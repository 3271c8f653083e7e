import { withDeadline } from './deadline';

const late = () => new Error('too late');

describe('withDeadline', () => {
  it('resolves with the work when it finishes in time', async () => {
    await expect(withDeadline(1000, async () => 'done', late)).resolves.toBe('done');
  });

  it('rejects with the caller’s error and aborts the signal when the work is too slow', async () => {
    let seen: AbortSignal | undefined;
    const error = await withDeadline(
      20,
      (signal) => {
        seen = signal;
        return new Promise<never>(() => undefined);
      },
      late,
    ).catch((e: unknown) => e);
    expect(error).toEqual(new Error('too late'));
    expect(seen?.aborted).toBe(true);
  });

  it('passes the work’s own error through unchanged', async () => {
    const own = new Error('connection refused');
    await expect(withDeadline(1000, () => Promise.reject(own), late)).rejects.toBe(own);
  });

  it('ignores a failure of the work that comes after the deadline', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const work = () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('late failure')), 40));
      await expect(withDeadline(10, work, late)).rejects.toThrow('too late');
      await new Promise((r) => setTimeout(r, 60));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
