// What one hand-off costs the producer's process, side by side in one run: a single job through
// Queue.add (one script call) against the same job through Queue.addBulk (an ioredis pipeline, which
// copies every script command BullMQ defines each time). The job producer uses add for a lone job.
//   npx tsx --tsconfig tools/tsconfig.json libs/queue/bench/hand-off.bench.ts
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const ROUNDS = 4;
const PER_ROUND = Number(process.env['BENCH_JOBS'] ?? 1000);

async function main() {
  const prefix = `bench:hand-off:${process.pid}`;
  const connection = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const queue = new Queue('answered-batch', { connection, prefix });
  // About the size of one answer.
  const data = { question: 'trending manga', answer: 'x'.repeat(600), timings: { intent: 0.1, 'cache-lookup': 0.4 } };
  const opts = { attempts: 5, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: { age: 3600, count: 10_000 } };
  /** CPU of this process per job, in µs. */
  const run = async (mode: 'add' | 'addBulk', n: number) => {
    const before = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const jobId = `${mode}-${i}-${Math.random()}`;
      if (mode === 'add') await queue.add('answered-batch', data, { ...opts, jobId });
      else await queue.addBulk([{ name: 'answered-batch', data, opts: { ...opts, jobId } }]);
    }
    const used = process.cpuUsage(before);
    return (used.user + used.system) / n;
  };
  try {
    await run('add', 200);
    await run('addBulk', 200);
    const samples = { add: [] as number[], addBulk: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      samples.add.push(await run('add', PER_ROUND));
      samples.addBulk.push(await run('addBulk', PER_ROUND));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const add = median(samples.add);
    const bulk = median(samples.addBulk);
    console.log(`producer CPU per job, median of ${ROUNDS} rounds × ${PER_ROUND} jobs (alternating):`);
    console.log(`  Queue.add                ${add.toFixed(0).padStart(6)} µs`);
    console.log(`  Queue.addBulk([one job]) ${bulk.toFixed(0).padStart(6)} µs   (${(bulk / add).toFixed(2)}× add)`);
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
