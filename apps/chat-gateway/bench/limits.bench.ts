// What the fair limits cost a message and a connection, against the real Redis, beside the floor of
// one PING on the same connection: `npx tsx --tsconfig tools/tsconfig.json apps/chat-gateway/bench/limits.bench.ts`
// (BENCH_ROUNDS, default 5000; REDIS_URL). Sequential calls: latency, not throughput.
import { Redis } from 'ioredis';
import { loadConfig } from '@manga-assist/config';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { deleteKeysWithPrefix, testRedisUrl, uniquePrefix } from '@manga-assist/testing';
import { z } from 'zod';
import { createFairLimits } from '../src/fair-limits';
import { limitsShape } from '../src/limits-config';

const ROUNDS = Math.min(100_000, Math.max(100, Number(process.env['BENCH_ROUNDS'] ?? 5000)));

async function timed(label: string, run: (i: number) => Promise<unknown>): Promise<string> {
  for (let i = 0; i < 200; i++) await run(-1 - i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = process.hrtime.bigint();
    await run(i);
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0).toFixed(0).padStart(7);
  return `${label.padEnd(44)}${at(0.5)}${at(0.95)}${at(0.99)}`;
}

async function main() {
  const redis = new Redis(testRedisUrl());
  await redis.ping();
  const prefix = uniquePrefix('limits-bench');
  const config = { ...loadConfig(z.object(limitsShape), { LIMIT_MESSAGES: '30' }), KEY_PREFIX: prefix };
  const limits = createFairLimits({ config, redis, registry: createMetricsRegistry('chat-gateway', { defaultMetrics: false }), log: createLogger({ app: 'chat-gateway', level: 'silent' }) });
  try {
    const rows = [
      await timed('PING (the floor: one round trip)', () => redis.ping()),
      await timed("consume('messages'), taken (a new user each)", (i) => limits.consume('messages', `user-${i}`)),
      await timed("consume('messages'), refused (one user over)", () => limits.consume('messages', 'flooder')),
      await timed('openConnection + release', async (i) => {
        const lease = await limits.openConnection(`c-${i}`, `user-${i % 50}`, '203.0.113.1');
        if (lease.allowed) await lease.release();
      }),
    ];
    process.stdout.write(`${ROUNDS} sequential calls each, Redis ${testRedisUrl()}; microseconds\n${'call'.padEnd(44)}${'p50'.padStart(7)}${'p95'.padStart(7)}${'p99'.padStart(7)}\n${rows.join('\n')}\n`);
  } finally {
    limits.close();
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`limits bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
