/**
 * One stream shared by everyone asking for the same key while it runs: the first caller (the
 * leader) starts it, later callers (followers) receive every item from the first one on, then the
 * live ones as they arrive, and the very error the stream ends with, if it fails. The stream is
 * stopped (its signal aborted) only when every reader has left; a flight that has ended, or been
 * abandoned, is forgotten, so the next caller starts a new one.
 */
export interface SingleFlight<T> {
  /** Reads the flight running for `key`, or returns undefined when there is none. */
  join(key: string, signal?: AbortSignal): AsyncIterableIterator<T> | undefined;
  /**
   * Starts a flight for `key` with `start` (called at once, with the flight's own signal) and
   * returns the leader's reader. Throws when a flight for `key` is already running: join it instead.
   */
  lead(key: string, start: (signal: AbortSignal) => AsyncIterable<T>, signal?: AbortSignal): AsyncIterableIterator<T>;
  /** Flights running now. */
  size(): number;
}

interface Flight<T> {
  items: T[];
  state: 'running' | 'done' | 'failed' | 'abandoned';
  error?: unknown;
  readers: number;
  wake: Set<() => void>;
  controller: AbortController;
}

const END: IteratorReturnResult<undefined> = { done: true, value: undefined };

export function createSingleFlight<T>(): SingleFlight<T> {
  const flights = new Map<string, Flight<T>>();

  const settle = (key: string, flight: Flight<T>) => {
    if (flights.get(key) === flight) flights.delete(key);
    for (const wake of flight.wake) wake();
    flight.wake.clear();
  };

  const reader = (key: string, flight: Flight<T>, signal: AbortSignal | undefined): AsyncIterableIterator<T> => {
    flight.readers++;
    let index = 0;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      flight.readers--;
      // Nobody reads any more: stop the stream rather than let it run for no one.
      if (flight.readers === 0 && flight.state === 'running') {
        flight.state = 'abandoned';
        flight.controller.abort(new Error('every reader of the shared stream left'));
        settle(key, flight);
      }
    };
    const iterator: AsyncIterableIterator<T> = {
      [Symbol.asyncIterator]: () => iterator,
      async next() {
        for (;;) {
          if (signal?.aborted) {
            leave();
            throw signal.reason;
          }
          if (index < flight.items.length) return { done: false, value: flight.items[index++]! };
          if (flight.state === 'done') return (leave(), END);
          if (flight.state === 'failed') {
            leave();
            throw flight.error;
          }
          if (flight.state === 'abandoned') return (leave(), END);
          // Until the next item, the end, or this reader's abort.
          await new Promise<void>((resolve) => {
            const wake = () => {
              signal?.removeEventListener('abort', onAbort);
              resolve();
            };
            const onAbort = () => {
              flight.wake.delete(wake);
              resolve();
            };
            flight.wake.add(wake);
            signal?.addEventListener('abort', onAbort, { once: true });
          });
        }
      },
      async return() {
        leave();
        return END;
      },
    };
    return iterator;
  };

  return {
    join(key, signal) {
      const flight = flights.get(key);
      return flight === undefined ? undefined : reader(key, flight, signal);
    },
    lead(key, start, signal) {
      if (flights.has(key)) throw new Error(`a flight for ${key} is already running`);
      const flight: Flight<T> = { items: [], state: 'running', readers: 0, wake: new Set(), controller: new AbortController() };
      flights.set(key, flight);
      const leader = reader(key, flight, signal);
      let source: AsyncIterable<T>;
      try {
        source = start(flight.controller.signal);
      } catch (error) {
        flight.state = 'failed';
        flight.error = error;
        settle(key, flight);
        return leader;
      }
      void (async () => {
        try {
          for await (const item of source) {
            if (flight.state !== 'running') return;
            flight.items.push(item);
            for (const wake of flight.wake) wake();
            flight.wake.clear();
          }
          if (flight.state === 'running') flight.state = 'done';
        } catch (error) {
          if (flight.state === 'running') {
            flight.state = 'failed';
            flight.error = error;
          }
        } finally {
          settle(key, flight);
        }
      })();
      return leader;
    },
    size: () => flights.size,
  };
}
