// Seed 004's load test, over `hey` (Debian package): the gradual stages (1,000 requests at 10, 25,
// 50 and 100 concurrent clients) and the sudden spike (5,000 requests from 50 clients at 10
// requests/s each), each checked against the seed's SLOs (p95 < 500 ms, p99 < 1,000 ms, errors
// < 1 %), with the seed's own results table beside ours. Like the seed's script, every request
// sends the same body, so after the first answer most are cache hits. Without HEY_URL it starts
// the gateway and the post-processor, with the stand-in model server (its own process) as an
// OpenAI-compatible model.
// Run: npm run bench:hey (exits 1 when a stage misses an SLO)
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { httpUrl, loadConfig } from '@manga-assist/config';
import { startBenchSystem, startModelStandInProcess } from './bench-support';

const config = loadConfig(
  z.object({
    /** A running gateway to test (its base URL); unset: one is started. */
    HEY_URL: httpUrl().optional(),
    HEY_TEXT: z.string().min(1).default('今週の人気マンガは？'),
    /** A bearer token for a gateway given by HEY_URL (npm run -s token -- <userId>). */
    HEY_TOKEN: z.string().min(1).optional(),
  }),
);

/** The seed's SLOs (seed 004: API p95 < 500 ms, p99 within 750–1,000 ms, error rate < 1 %). */
const SLO = { p95Ms: 500, p99Ms: 1000, errorRate: 0.01 };

interface Stage {
  name: string;
  args: string[];
}

const STAGES: Stage[] = [
  ...[10, 25, 50, 100].map((c) => ({ name: `${c} clients, 1,000 requests`, args: ['-n', '1000', '-c', String(c)] })),
  { name: 'spike: 50 clients × 10/s, 5,000 requests', args: ['-n', '5000', '-c', '50', '-q', '10'] },
];

interface StageResult {
  requests: number;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
}

/** Runs hey with CSV output (one line per request) and summarizes it. */
function runHey(url: string, token: string | undefined, args: string[]): Promise<StageResult> {
  const body = JSON.stringify({ text: config.HEY_TEXT });
  const auth = token === undefined ? [] : ['-H', `Authorization: Bearer ${token}`];
  const child = spawn('hey', [...args, '-m', 'POST', '-T', 'application/json', '-H', 'Accept: application/json', ...auth, '-d', body, '-o', 'csv', `${url}/v1/chat`]);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`hey could not start (apt-get install hey): ${error.message}`)));
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`hey exited with ${code}: ${err}`));
      // response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset
      const rows = out.trim().split('\n').slice(1).map((line) => line.split(','));
      const times = rows.map((r) => Number(r[0]) * 1000).sort((a, b) => a - b);
      const at = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)] ?? NaN;
      const end = Math.max(...rows.map((r) => Number(r[7]) + Number(r[0])));
      resolve({
        requests: rows.length,
        seconds: end,
        p50: at(50),
        p95: at(95),
        p99: at(99),
        max: times.at(-1) ?? NaN,
        errors: rows.filter((r) => !/^2\d\d$/.test(r[6] ?? '')).length,
      });
    });
  });
}

async function main() {
  const standIn = config.HEY_URL ? undefined : await startModelStandInProcess({ firstTokenMs: 100, perTokenMs: 1, tokens: 30 });
  const system = standIn
    ? await startBenchSystem({ MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${standIn.url}/v1` }, ['chat-gateway', 'post-processor'])
    : undefined;
  const url = config.HEY_URL ?? system!.gatewayUrl;
  // A gateway of its own gets the bench user's token; another one takes HEY_TOKEN (npm run -s token -- <user>).
  const token = system?.token ?? config.HEY_TOKEN;
  let failed = false;
  try {
    console.log(`seed 004's stages against ${url}/v1/chat, body ${JSON.stringify({ text: config.HEY_TEXT })}`);
    console.log(`SLOs: p95 < ${SLO.p95Ms} ms, p99 < ${SLO.p99Ms} ms, errors < ${SLO.errorRate * 100} %\n`);
    console.log('| stage | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | SLOs |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const stage of STAGES) {
      const r = await runHey(url, token, stage.args);
      const misses = [
        r.p95 >= SLO.p95Ms ? 'p95' : '',
        r.p99 >= SLO.p99Ms ? 'p99' : '',
        r.errors / r.requests >= SLO.errorRate ? 'errors' : '',
      ].filter(Boolean);
      failed ||= misses.length > 0;
      const f = (n: number) => n.toFixed(1);
      console.log(`| ${stage.name} | ${r.requests} | ${Math.round(r.requests / r.seconds)} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.p99)} | ${f(r.max)} | ${((r.errors / r.requests) * 100).toFixed(2)} % | ${misses.length ? `missed: ${misses.join(', ')}` : 'met'} |`);
    }
    console.log('\nthe seed\'s own load test (50 clients, 30,000 requests over 10 minutes): p95 480 ms, p99 890 ms, max 2.1 s, 50 req/s, 99.7 % success');
  } finally {
    await system?.stop();
    await standIn?.process.stop();
  }
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
