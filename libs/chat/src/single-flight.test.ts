import { createSingleFlight } from './single-flight';

/** A stream fed by hand: `push` an item, `end` it, or `fail` it; records whether it was aborted. */
function manualStream() {
  const queue: (IteratorResult<string> | { error: unknown })[] = [];
  let wake: (() => void) | undefined;
  const state = { starts: 0, aborted: false };
  const put = (entry: IteratorResult<string> | { error: unknown }) => {
    queue.push(entry);
    wake?.();
  };
  return {
    state,
    push: (value: string) => put({ done: false, value }),
    end: () => put({ done: true, value: undefined }),
    fail: (error: unknown) => put({ error }),
    start(signal: AbortSignal): AsyncIterable<string> {
      state.starts++;
      signal.addEventListener('abort', () => {
        state.aborted = true;
        wake?.();
      });
      return (async function* () {
        for (;;) {
          if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          if (signal.aborted) return;
          const entry = queue.shift()!;
          if ('error' in entry) throw entry.error;
          if (entry.done) return;
          yield entry.value;
        }
      })();
    },
  };
}

async function readAll(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('single flight: one stream for everyone asking the same question at once', () => {
  it('gives a follower that joins late every item from the first, then the live ones; the stream starts once', async () => {
    const flights = createSingleFlight<string>();
    const stream = manualStream();
    const leader = readAll(flights.lead('q', (signal) => stream.start(signal)));
    stream.push('a');
    stream.push('b');
    await tick();
    const follower = readAll(flights.join('q')!);
    stream.push('c');
    stream.end();
    expect(await leader).toEqual(['a', 'b', 'c']);
    expect(await follower).toEqual(['a', 'b', 'c']);
    expect(stream.state.starts).toBe(1);
  });

  it('fails the leader and every follower with the same error the stream failed with', async () => {
    const flights = createSingleFlight<string>();
    const stream = manualStream();
    const leader = readAll(flights.lead('q', (signal) => stream.start(signal)));
    const followers = [readAll(flights.join('q')!), readAll(flights.join('q')!)];
    stream.push('a');
    const error = Object.assign(new Error('throttled'), { code: 'throttled' });
    stream.fail(error);
    const outcomes = await Promise.allSettled([leader, ...followers]);
    for (const outcome of outcomes) expect(outcome).toEqual({ status: 'rejected', reason: error });
    expect((outcomes[1] as PromiseRejectedResult).reason).toBe(error);
  });

  it('has no flight to join for another key, nor once the flight has ended: the next caller leads a new one', async () => {
    const flights = createSingleFlight<string>();
    const first = manualStream();
    const leader = readAll(flights.lead('q', (signal) => first.start(signal)));
    expect(flights.join('other')).toBeUndefined();
    first.push('a');
    first.end();
    await leader;
    expect(flights.join('q')).toBeUndefined();
    expect(flights.size()).toBe(0);
    const second = manualStream();
    const again = readAll(flights.lead('q', (signal) => second.start(signal)));
    second.push('b');
    second.end();
    expect(await again).toEqual(['b']);
  });

  it('refuses a second leader for a key that is running', () => {
    const flights = createSingleFlight<string>();
    flights.lead('q', (signal) => manualStream().start(signal));
    expect(() => flights.lead('q', (signal) => manualStream().start(signal))).toThrow('a flight for q is already running');
  });

  it('keeps streaming to the others when the leader leaves, and stops the stream once every reader has left', async () => {
    const flights = createSingleFlight<string>();
    const stream = manualStream();
    const leader = flights.lead('q', (signal) => stream.start(signal));
    const follower = flights.join('q')!;
    stream.push('a');
    expect(await leader.next()).toEqual({ done: false, value: 'a' });
    await leader.return!();
    stream.push('b');
    expect(await follower.next()).toEqual({ done: false, value: 'a' });
    expect(await follower.next()).toEqual({ done: false, value: 'b' });
    expect(stream.state.aborted).toBe(false);
    await follower.return!();
    expect(stream.state.aborted).toBe(true);
    expect(flights.join('q')).toBeUndefined();
  });

  it('ends only the reader whose own signal aborts, with its reason', async () => {
    const flights = createSingleFlight<string>();
    const stream = manualStream();
    const leader = readAll(flights.lead('q', (signal) => stream.start(signal)));
    const gone = new AbortController();
    const follower = readAll(flights.join('q', gone.signal)!);
    stream.push('a');
    await tick();
    gone.abort(new Error('client went away'));
    await expect(follower).rejects.toThrow('client went away');
    stream.push('b');
    stream.end();
    expect(await leader).toEqual(['a', 'b']);
  });

  it('fails every reader when the stream cannot even start', async () => {
    const flights = createSingleFlight<string>();
    const error = new Error('no prompt');
    await expect(readAll(flights.lead('q', () => {
      throw error;
    }))).rejects.toBe(error);
    expect(flights.size()).toBe(0);
  });
});
