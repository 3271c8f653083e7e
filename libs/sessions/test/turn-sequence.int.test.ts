// Turn numbering across gateway instances, against the real Redis.
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@manga-assist/testing';
import { createTurnSequence } from '../src';

describe('turn numbering in Redis', () => {
  const redis = new Redis(testRedisUrl());
  // A second connection stands for another process.
  const other = new Redis(testRedisUrl());
  const keyPrefix = uniquePrefix('turn-seq');

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
    other.disconnect();
  });

  it('numbers the turns of a session uniquely across gateway instances, after the stored ones', async () => {
    const a = createTurnSequence({ redis, keyPrefix });
    const b = createTurnSequence({ redis: other, keyPrefix });
    const numbers = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).next('session-1', 7)));
    expect([...numbers].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => 8 + i));
    // The counter expires with the session (7 days by default), renewed by every turn.
    expect(await redis.ttl(`${keyPrefix}turn-seq:session-1`)).toBeGreaterThan(6 * 24 * 3600);
  });

  it('numbers the turns asked for within its window with one script call, each session in the order asked', async () => {
    const counted = new Redis(testRedisUrl());
    let scriptCalls = 0;
    const send = counted.sendCommand.bind(counted);
    counted.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
      if (command.name === 'evalsha' || command.name === 'eval') scriptCalls += 1;
      return (send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof counted.sendCommand;
    const sequence = createTurnSequence({ redis: counted, keyPrefix, batchWindowMs: 20 });
    await sequence.next('warm-up', 0); // the script is loaded on first use (EVALSHA, then EVAL)

    scriptCalls = 0;
    const asked = Array.from({ length: 30 }, (_, i) => ({ session: `batch-${i % 3}` }));
    const numbers = await Promise.all(asked.map(({ session }) => sequence.next(session, session === 'batch-2' ? 100 : 0)));
    expect(scriptCalls).toBe(1);
    for (const [s, seed] of [['batch-0', 0], ['batch-1', 0], ['batch-2', 100]] as const) {
      const own = numbers.filter((_, i) => asked[i]!.session === s);
      expect(own).toEqual(Array.from({ length: 10 }, (_, k) => seed + 1 + k));
    }
    counted.disconnect();
  });
});
