// The gateway's own cost when the model is reached over the network, measured side by side in one
// run. A stand-in model server runs as its own process (tools/bench/model-stand-in.ts: OpenAI-style
// streaming and Bedrock ConverseStream, tokens at absolute deadlines). For each provider and each
// number of concurrent clients (1, 8, 50 by default), back to back:
//   - direct: the same provider client the gateway uses calls the stand-in with the prompts the
//     gateway would send (the baseline);
//   - the gateway on a cache miss (every question unique) over HTTP (`POST /v1/chat`, SSE) and
//     over WebSocket, each with new sessions (no session id: HTTP sends none, WebSocket opens a
//     fresh connection per question) and returning ones (a session id the gateway has seen: HTTP
//     sends it, WebSocket keeps its connection open).
// Each client asks its next question once the last is answered (closed loop): the concurrency is
// the number of model streams open at once. A request's time runs from sending the question to the
// end of the answer; added = gateway − direct, per percentile, at the same concurrency.
// BENCH_PIN=true gives the gateway side and the model side a core each (see the schema below).
// Run: npm run bench:network
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { loadCatalog } from '@manga-assist/catalog';
import { createClassifier } from '@manga-assist/intent';
import { loadConfig, nonNegativeInt, positiveInt } from '@manga-assist/config';
import type { ServerFrame } from '@manga-assist/contracts';
import { assemblePrompt, createModelProviderFromConfig, routeModel } from '@manga-assist/fm';
import type { ConfiguredModelProvider, ModelProviderConfig, ModelRequest } from '@manga-assist/fm';
import { createHashedNgramEmbedder, createProductRetriever, createProductSource, loadOrBuildHnswIndex } from '@manga-assist/retrieval';
import type { Histogram } from 'hdr-histogram-js';
import { Redis } from 'ioredis';
import { testRedisUrl } from '@manga-assist/testing';
import { histogram, startBenchSystem, startModelStandInProcess } from './bench-support';

const list = <T extends string>(allowed: readonly T[]) =>
  z.string().transform((value, ctx) => {
    const items = value.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.find((item) => !(allowed as readonly string[]).includes(item));
    if (bad !== undefined || items.length === 0) {
      ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of ${allowed.join(', ')}` });
      return z.NEVER;
    }
    return items as T[];
  });

const schema = z.object({
  BENCH_PROVIDERS: list(['openai', 'bedrock'] as const).default(['openai', 'bedrock']),
  BENCH_CLIENTS: z
    .string()
    .default('1,8,50')
    .transform((value, ctx) => {
      const levels = value.split(',').map(Number);
      if (levels.some((n) => !Number.isSafeInteger(n) || n < 1)) {
        ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of positive integers' });
        return z.NEVER;
      }
      return levels;
    }),
  /** Questions per phase: at least this many, and at least 4 per client. */
  BENCH_REQUESTS: positiveInt(80),
  BENCH_FIRST_TOKEN_MS: nonNegativeInt(100),
  BENCH_TOKEN_MS: nonNegativeInt(1),
  BENCH_TOKENS: positiveInt(30),
  /**
   * `true` also starts the post-processor, so returning sessions are stored (and read from Redis)
   * as in a deployment; off by default, since on a small machine it competes with the gateway for CPU.
   */
  /** Writes the gateway's CPU profile (open in Chrome DevTools) into this directory. */
  BENCH_PROFILE_DIR: z.string().min(1).optional(),
  BENCH_POST_PROCESSOR: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /**
   * `true` gives the gateway side and the model side a core each (taskset): the gateway, the
   * post-processor and Redis on CPU 1; this process (the clients, dynalite) and the stand-in model
   * on CPU 0. In a deployment the model and the clients are other machines; on a 2-core machine
   * without pinning every process competes for both cores, and "added" measures that contention
   * as much as the gateway.
   */
  BENCH_PIN: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});
type Provider = 'openai' | 'bedrock';

const config = loadConfig(schema);

/** Unique price limits: every question is a cache miss, and every one a simple (Haiku) question. */
let questionNumber = 0;
const nextQuestion = () => `recommend a shonen manga under ${1000 + questionNumber++} yen`;

interface Phase {
  name: string;
  run(clients: number, total: number, into: Histogram): Promise<void>;
}

/** `clients` loops asking one question after another until `total` have been asked. */
async function closedLoop(clients: number, total: number, ask: (client: number) => Promise<number>, into: Histogram): Promise<void> {
  let started = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (started < total) {
        started++;
        const ms = await ask(client);
        into.recordValue(Math.max(1, Math.round(ms * 1000)));
      }
    }),
  );
}

function providerConfig(provider: Provider, standInUrl: string): ModelProviderConfig {
  if (provider === 'openai') return { provider: 'openai', baseURL: `${standInUrl}/v1`, models: { haiku: 'haiku', sonnet: 'sonnet' }, maxTokens: 1024 };
  return {
    provider: 'bedrock',
    region: 'ap-northeast-1',
    endpoint: standInUrl,
    modelIds: { haiku: 'haiku', sonnet: 'sonnet' },
    maxTokens: 1024,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // The baseline never waits for a socket.
    maxSockets: 256,
  };
}

function gatewayEnv(provider: Provider, standInUrl: string): Record<string, string> {
  const profile: Record<string, string> = config.BENCH_PROFILE_DIR ? { NODE_OPTIONS: `--require ${path.join(__dirname, 'cpu-profile.cjs')}`, CPU_PROFILE_DIR: path.resolve(config.BENCH_PROFILE_DIR) } : {};
  return { ...profile, ...modelEnv(provider, standInUrl) };
}

function modelEnv(provider: Provider, standInUrl: string): Record<string, string> {
  return provider === 'openai'
    ? { MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${standInUrl}/v1`, OPENAI_HAIKU_MODEL: 'haiku', OPENAI_SONNET_MODEL: 'sonnet' }
    : { MODEL_PROVIDER: 'bedrock', BEDROCK_ENDPOINT: standInUrl, BEDROCK_HAIKU_MODEL_ID: 'haiku', BEDROCK_SONNET_MODEL_ID: 'sonnet' };
}

/**
 * What the current phase's `done` frames say, in µs: the session-load segment, and the time spent
 * before the model was called (validate, intent, cache lookup, the longer of search and session
 * load, prompt assembly), which machine load does not stretch as much as a round trip.
 */
const phaseSegments = { sessionLoad: histogram(), beforeModel: histogram() };
function recordDone(timings: Record<string, number>) {
  const t = (name: string) => timings[name] ?? 0;
  const us = (ms: number) => Math.max(1, Math.round(ms * 1000));
  phaseSegments.sessionLoad.recordValue(us(t('session-load')));
  phaseSegments.beforeModel.recordValue(us(t('validate') + t('intent') + t('cache-lookup') + Math.max(t('vector-search'), t('session-load')) + t('prompt-assembly')));
}

/** Reads an SSE answer of POST /v1/chat to its end; throws unless it ended with `done`. */
async function askHttp(gatewayUrl: string, token: string, text: string, sessionId?: string): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(`${gatewayUrl}/v1/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(sessionId === undefined ? { text } : { text, sessionId }),
  });
  const body = await response.text();
  const ms = performance.now() - t0;
  if (!body.includes('event: done')) throw new Error(`no done event: ${body.slice(0, 300)}`);
  if (body.includes('"cached":true')) throw new Error('a cache hit where a miss was meant');
  const done = /^event: done\ndata: (.*)$/m.exec(body)?.[1];
  if (done !== undefined) recordDone((JSON.parse(done) as { timings: Record<string, number> }).timings);
  return ms;
}

class Socket {
  private waiting?: { requestId: string; resolve: (frame: ServerFrame) => void };
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      if ((frame.type === 'done' || frame.type === 'error') && frame.requestId === this.waiting?.requestId) this.waiting!.resolve(frame);
    });
  }
  /** Opens a socket and waits for its `ready` frame. */
  static open(url: string) {
    return new Promise<Socket>((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once('message', () => resolve(new Socket(ws)));
      ws.once('error', reject);
    });
  }
  /** Milliseconds from sending the question to its `done`. */
  async ask(text: string): Promise<number> {
    const requestId = randomUUID();
    const t0 = performance.now();
    const frame = await new Promise<ServerFrame>((resolve) => {
      this.waiting = { requestId, resolve };
      this.ws.send(JSON.stringify({ action: 'sendMessage', requestId, text }));
    });
    const ms = performance.now() - t0;
    if (frame.type !== 'done') throw new Error(`not done: ${JSON.stringify(frame).slice(0, 300)}`);
    if (frame.cached) throw new Error('a cache hit where a miss was meant');
    recordDone(frame.timings);
    return ms;
  }
  close() {
    this.ws.close();
  }
}

/** Cumulative bucket counts of the model pool's checkout wait, from the gateway's /metrics. */
async function checkoutWaits(gatewayUrl: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const [, labels, count] of text.matchAll(/^manga_assist_pool_checkout_wait_seconds_bucket\{([^}]*)\} (\d+)/gm)) {
    if (!labels!.includes('pool="model"')) continue;
    const le = /le="([^"]+)"/.exec(labels!)![1]!;
    buckets.set(le === '+Inf' ? Infinity : Number(le), Number(count));
  }
  return buckets;
}

/** The smallest bucket bound under which 99% of the checkouts between two scrapes fell. */
function checkoutP99(before: Map<number, number>, after: Map<number, number>): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return 'no checkouts';
  const bound = bounds.find((le) => (after.get(le)! - (before.get(le) ?? 0)) / total >= 0.99);
  return bound === undefined || bound === Infinity ? `> ${bounds.at(-2)! * 1000} ms` : `≤ ${+(bound * 1000).toFixed(3)} ms`;
}

/** CPU seconds used so far by a process (user + system), from /proc: steadier than latency on a busy machine. */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

const ms = (us: number) => (us / 1000).toFixed(2);
const segmentCells = (h: Histogram) => (h.totalCount === 0 ? '' : `${ms(h.getValueAtPercentile(50))} / ${ms(h.getValueAtPercentile(99))}`);
const pct = [50, 95, 99] as const;

/** Pins a process and all of its threads to `cpus` (a taskset list such as "1" or "0-1"). */
function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** The Redis server's pid (it runs on this machine), to pin it beside the gateway and give it back all cores after. */
async function redisPid(): Promise<number> {
  const redis = new Redis(testRedisUrl());
  try {
    return Number(/^process_id:(\d+)/m.exec(await redis.info('server'))?.[1]);
  } finally {
    redis.disconnect();
  }
}

async function main() {
  const allCpus = `0-${os.cpus().length - 1}`;
  const redisServer = config.BENCH_PIN ? await redisPid() : undefined;
  // Children inherit this: the stand-in model (spawned next) shares CPU 0 with the clients.
  if (config.BENCH_PIN) pin(process.pid, '0');
  const catalog = await loadCatalog();
  const embedder = createHashedNgramEmbedder({ dimensions: 384 });
  const standIn = await startModelStandInProcess({ firstTokenMs: config.BENCH_FIRST_TOKEN_MS, perTokenMs: config.BENCH_TOKEN_MS, tokens: config.BENCH_TOKENS });
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    console.log(line);
  };
  try {
    for (const provider of config.BENCH_PROVIDERS) {
      const system = await startBenchSystem(gatewayEnv(provider, standIn.url), config.BENCH_POST_PROCESSOR ? ['chat-gateway', 'post-processor'] : ['chat-gateway']);
      if (config.BENCH_PIN) for (const pid of [...Object.values(system.pids), redisServer!]) pin(pid, '1');
      let direct: ConfiguredModelProvider | undefined;
      try {
        const index = await loadOrBuildHnswIndex({ catalog, embedder, dir: system.env['INDEX_DIR']!, log: { info: () => undefined, warn: () => undefined } });
        const retriever = createProductRetriever({ catalog, embedder, index });
        const classifier = createClassifier(retriever);
        const products = createProductSource(retriever);
        direct = createModelProviderFromConfig(providerConfig(provider, standIn.url));
        /** The request the gateway sends for a question (a new session: no history), built outside the timed part. */
        const requestFor = async (text: string): Promise<ModelRequest> => {
          const c = classifier.classify(text);
          const found = await products.search(text, c.filters, 5);
          const prompt = assemblePrompt({ userText: text, intent: c.intent, history: [], products: found });
          return { profile: routeModel(c), system: prompt.system, messages: prompt.messages };
        };
        const callDirect = async (request: ModelRequest) => {
          const t0 = performance.now();
          let ended = false;
          for await (const event of direct!.stream(request)) if (event.type === 'end') ended = true;
          if (!ended) throw new Error('direct stream did not end');
          return performance.now() - t0;
        };
        const gw = system.gatewayUrl;
        // Warm-up, not recorded: the gateway's and the baseline's connections open, code paths compiled.
        for (let i = 0; i < 20; i++) {
          await callDirect(await requestFor(nextQuestion()));
          await askHttp(gw, system.token, nextQuestion());
        }

        say(`\n## ${provider === 'openai' ? 'OpenAI-compatible (MODEL_PROVIDER=openai)' : 'Bedrock ConverseStream (MODEL_PROVIDER=bedrock)'}\n`);
        say('ms from question to the end of the answer; added = gateway − direct at the same concurrency, per percentile\n');
        say(`post-processor ${config.BENCH_POST_PROCESSOR ? 'running: returning sessions are stored and read through Redis' : 'not running: a returning session is read (Redis, then DynamoDB on dynalite) but never stored'}`);
        say(`load average at the start: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')} (${os.cpus().length} cores)`);
        say(config.BENCH_PIN ? 'pinned: gateway, post-processor and Redis on CPU 1; clients, dynalite and the stand-in model on CPU 0\n' : 'not pinned: every process on every core\n');
        say(`| clients | path | n | p50 | p95 | p99 | added p50 | added p95 | added p99 | gateway CPU ms per question | session-load p50 / p99 | before the model p50 / p99 | model pool checkout p99 |`);
        say(`|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|`);
        for (const clients of config.BENCH_CLIENTS) {
          const total = Math.max(config.BENCH_REQUESTS, clients * 4);
          const sessions = Array.from({ length: clients }, () => randomUUID());
          // Returning sessions: the gateway has answered each of them once before.
          await Promise.all(sessions.map((id) => askHttp(gw, system.token, nextQuestion(), id)));
          const phases: Phase[] = [
            {
              name: 'direct',
              run: async (n, t, into) => {
                const requests = await Promise.all(Array.from({ length: t }, () => requestFor(nextQuestion())));
                let next = 0;
                await closedLoop(n, t, () => callDirect(requests[next++]!), into);
              },
            },
            { name: 'HTTP, new session', run: (n, t, into) => closedLoop(n, t, () => askHttp(gw, system.token, nextQuestion()), into) },
            { name: 'HTTP, returning session', run: (n, t, into) => closedLoop(n, t, (c) => askHttp(gw, system.token, nextQuestion(), sessions[c]), into) },
            {
              name: 'WebSocket, new session',
              run: (n, t, into) =>
                closedLoop(n, t, async () => {
                  const socket = await Socket.open(system.wsUrl);
                  try {
                    return await socket.ask(nextQuestion());
                  } finally {
                    socket.close();
                  }
                }, into),
            },
            {
              name: 'WebSocket, returning session',
              run: async (n, t, into) => {
                const sockets = await Promise.all(sessions.map((id) => Socket.open(`${system.wsUrl}&sessionId=${id}`)));
                try {
                  await closedLoop(n, t, (c) => sockets[c]!.ask(nextQuestion()), into);
                } finally {
                  sockets.forEach((s) => s.close());
                }
              },
            },
          ];
          let baseline: Histogram | undefined;
          for (const phase of phases) {
            const into = histogram();
            const before = await checkoutWaits(gw);
            phaseSegments.sessionLoad.reset();
            phaseSegments.beforeModel.reset();
            const cpu0 = processCpuSeconds(system.pids['chat-gateway']!);
            await phase.run(clients, total, into);
            const cpu = phase.name === 'direct' ? '' : (((processCpuSeconds(system.pids['chat-gateway']!) - cpu0) * 1000) / into.totalCount).toFixed(2);
            const checkout = phase.name === 'direct' ? '' : checkoutP99(before, await checkoutWaits(gw));
            baseline ??= into;
            const cells = pct.map((p) => ms(into.getValueAtPercentile(p)));
            const added = phase.name === 'direct' ? ['', '', ''] : pct.map((p) => ms(into.getValueAtPercentile(p) - baseline!.getValueAtPercentile(p)));
            say(`| ${clients} | ${phase.name} | ${into.totalCount} | ${cells.join(' | ')} | ${added.join(' | ')} | ${cpu} | ${segmentCells(phaseSegments.sessionLoad)} | ${segmentCells(phaseSegments.beforeModel)} | ${provider === 'bedrock' ? checkout : 'n/a (fetch)'} |`);
          }
        }
      } finally {
        direct?.close();
        await system.stop();
      }
    }
    say(`\nstand-in model: first token ${config.BENCH_FIRST_TOKEN_MS} ms, then ${config.BENCH_TOKENS - 1} tokens ${config.BENCH_TOKEN_MS} ms apart`);
    say('targets: added p50 ≤ 3 ms and p99 ≤ 10 ms at 1 and 8 clients; added p50 ≤ 5 ms at 50 clients; model pool checkout p99 < 1 ms');
  } finally {
    await standIn.process.stop();
    if (redisServer) pin(redisServer, allCpus);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
