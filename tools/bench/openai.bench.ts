// The OpenAI-compatible door against the gateway's own HTTP door, side by side in one run: the same
// cached question through POST /v1/chat and POST /v1/chat/completions, each as one JSON answer and
// as a stream, driven by `hey` (Debian package) in alternating rounds so every pair shares the
// machine's moment. What the door itself costs is the difference.
//
//   npx tsx --tsconfig tools/tsconfig.json tools/bench/openai.bench.ts
//   BENCH_REQUESTS (2000 per run), BENCH_CONCURRENCY (20), BENCH_ROUNDS (3)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startBenchSystem } from './bench-support';

const run = promisify(execFile);
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 2000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 20);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const QUESTION = '今週の人気マンガは？';

interface Door {
  name: string;
  path: string;
  headers: string[];
  body: object;
}

const DOORS: Door[] = [
  { name: '/v1/chat, JSON', path: '/v1/chat', headers: ['accept: application/json'], body: { text: QUESTION } },
  { name: '/v1/chat/completions, JSON', path: '/v1/chat/completions', headers: [], body: { model: 'manga-assist', messages: [{ role: 'user', content: QUESTION }] } },
  { name: '/v1/chat, SSE', path: '/v1/chat', headers: [], body: { text: QUESTION } },
  {
    name: '/v1/chat/completions, stream',
    path: '/v1/chat/completions',
    headers: [],
    body: { model: 'manga-assist', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: QUESTION }] },
  },
];

interface HeyResult {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  non200: number;
}

async function hey(url: string, door: Door, token: string): Promise<HeyResult> {
  const args = ['-n', String(REQUESTS), '-c', String(CONCURRENCY), '-m', 'POST', '-T', 'application/json', '-d', JSON.stringify(door.body), '-H', `Authorization: Bearer ${token}`];
  for (const header of door.headers) args.push('-H', header);
  const { stdout } = await run('hey', [...args, `${url}${door.path}`], { maxBuffer: 16 * 1024 * 1024 });
  const seconds = (p: number) => Number(new RegExp(`${p}% in ([\\d.]+) secs`).exec(stdout)?.[1] ?? NaN) * 1000;
  const statuses = [...stdout.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)];
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN),
    p50: seconds(50),
    p95: seconds(95),
    p99: seconds(99),
    non200: statuses.filter(([, code]) => code !== '200').reduce((n, [, , count]) => n + Number(count), 0),
  };
}

async function main() {
  const system = await startBenchSystem({ LOG_LEVEL: 'error' });
  try {
    // Both doors ask the same question, so both are answered from the one cache entry.
    await waitForCachedAnswer(system.gatewayUrl, system.token);
    const results = new Map<string, HeyResult[]>(DOORS.map((d) => [d.name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const door of DOORS) results.get(door.name)!.push(await hey(system.gatewayUrl, door, system.token));
      process.stdout.write(`round ${round} of ${ROUNDS} done\n`);
    }
    const f = (n: number) => n.toFixed(2).padStart(9);
    process.stdout.write(
      `\ncache hits, ${REQUESTS} requests per run, ${CONCURRENCY} at a time, ${ROUNDS} rounds (per round: p50 / p99 ms, req/s)\n`,
    );
    process.stdout.write(`${'door'.padEnd(32)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'req/s'.padStart(9)}  rounds\n`);
    for (const door of DOORS) {
      const runs = results.get(door.name)!;
      const median = (pick: (r: HeyResult) => number) => runs.map(pick).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
      const rounds = runs.map((r) => `${r.p50.toFixed(1)}/${r.p99.toFixed(1)} ${Math.round(r.rps)}`).join(', ');
      const failed = runs.reduce((n, r) => n + r.non200, 0);
      process.stdout.write(
        `${door.name.padEnd(32)}${f(median((r) => r.p50))}${f(median((r) => r.p95))}${f(median((r) => r.p99))}${f(median((r) => r.rps))}  ${rounds}${failed ? `  (${failed} not 200)` : ''}\n`,
      );
    }
    process.stdout.write('(medians over the rounds)\n');
  } finally {
    await system.stop();
  }
}

async function waitForCachedAnswer(url: string, token: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ model: 'manga-assist', messages: [{ role: 'user', content: QUESTION }] }),
    });
    const answer = (await res.json()) as { manga_assist?: { cached?: boolean } };
    if (answer.manga_assist?.cached) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the question was never answered from the cache');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
