// Seed 001's latency waterfall, reproduced by latency injection. Stand-ins for OpenSearch (vector
// search and ranked lists), DynamoDB (session read and write), Redis (cache lookup and write), the
// model (first token, then a stream), the Bedrock guardrail and the post-processing writes sleep
// latencies drawn from the seed's "typical p50/p95" table. The same questions, with the same draws
// per question, go through:
//   - naive: written here. Cache check, then vector search, then session load (one after the
//     other, nothing prefetched), the model's whole answer, the guardrail on it, the cache and
//     session writes, and only then the answer to the client. Every call to an AWS endpoint opens
//     a new HTTPS connection (30–50 ms); Redis keeps one connection, as its clients do.
//   - ours: the product's pipeline (`createChatPipeline`, with libs/resilience's policies) with the
//     same stand-ins plugged into its ports; keep-alive pools per endpoint (a new connection only
//     when none is idle); the session and trending list prefetched when a connection opens; the
//     guardrail and the writes done by the post-processor stand-in after `done`.
// Questions follow the seeds' mix (trending 22 %, new releases 15 %, genre 12 %, title lookups 8 %,
// recommendations 35 %, other 8 %); 40 % are cache hits (seed 002, "normal: 40 % cache hit"). Each
// simulated user asks 5 questions on one connection; BENCH_CONCURRENCY users at a time.
// Run: npm run bench:waterfall
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CacheHit, ResponseCache } from '@manga-assist/cache';
import { createChatPipeline } from '@manga-assist/chat';
import type { ChatContext, ChatPipelineDeps, SessionView } from '@manga-assist/chat';
import { loadConfig, positiveInt } from '@manga-assist/config';
import type { AnsweredBatchJob, Classification, Intent, ProductSummary } from '@manga-assist/contracts';
import type { ModelGateway } from '@manga-assist/fm';
import type { JobProducer } from '@manga-assist/queue';
import { createDownstreamPolicies } from '@manga-assist/resilience';
import type { ProductSource } from '@manga-assist/retrieval';
import { createMetricsRegistry } from '@manga-assist/telemetry';
import { z } from 'zod';
import { CONNECT_MS, SEED_BEFORE_AFTER, SEED_TABLE, drawLatency, drawUniform, percentile, seededRandom } from './waterfall-latency';
import { renderWaterfall } from './waterfall-render';
import type { WaterfallBar, WaterfallPanel } from './waterfall-render';

const config = loadConfig(
  z.object({
    BENCH_REQUESTS: positiveInt(300),
    BENCH_CONCURRENCY: positiveInt(4),
    BENCH_SEED: positiveInt(1),
    /** Share of questions answered from the cache, in percent. */
    BENCH_HIT_PERCENT: z.coerce.number().int().min(0).max(100).default(40),
    BENCH_WATERFALL_PNG: z.string().min(1).default('.data/bench/waterfall.png'),
  }),
);

const QUESTIONS_PER_CONNECTION = 5;
const TOKENS = 20;
/** The model's first token arrives after this share of its whole answer time (the seed gives only the whole). */
const FIRST_TOKEN_SHARE = 0.4;
/** Seed 000's post-processing writes, p50/p95 ms: a Redis SET and a DynamoDB update. */
const CACHE_WRITE = { p50: 1, p95: 5 };
const SESSION_WRITE = { p50: 4, p95: 10 };

const MIX: [Intent, number][] = [
  ['trending', 22],
  ['new_releases', 15],
  ['genre_browse', 12],
  ['title_lookup', 8],
  ['recommendation', 35],
  ['chit_chat', 8],
];
const PHRASES: Record<string, string> = {
  trending: '今週の人気マンガは？',
  new_releases: '今月の新刊を教えて',
  genre_browse: 'おすすめの恋愛マンガ',
  title_lookup: '『葬送のフリーレン』の最新巻は？',
  recommendation: '『ワンピース』が好きな人におすすめは？',
  chit_chat: 'こんにちは',
};

type Endpoint = 'opensearch' | 'dynamodb' | 'bedrock' | 'redis';

/** Every latency one question meets, drawn up front so both pipelines meet the same ones. */
interface Script {
  requestId: string;
  text: string;
  classification: Classification;
  hit: boolean;
  edge: number;
  cacheLookup: number;
  search: number;
  session: number;
  model: number;
  guardrail: number;
  cacheWrite: number;
  sessionWrite: number;
  /** New-connection costs, used in order by the calls that open one. */
  connects: number[];
}

interface Span {
  name: string;
  start: number;
  /** Where the connection set-up ended (== start when a pooled connection was reused). */
  connected: number;
  end: number;
  /** Run after the answer reached the client. */
  offPath: boolean;
}

interface Trace {
  script: Script;
  t0: number;
  spans: Span[];
  nextConnect: number;
  firstText?: number;
  done?: number;
  firstToken?: number;
}

function drawScripts(count: number, seed: number): Script[] {
  const random = seededRandom(seed);
  const total = MIX.reduce((sum, [, weight]) => sum + weight, 0);
  return Array.from({ length: count }, (_, i) => {
    let pick = random() * total;
    const intent = MIX.find(([, weight]) => (pick -= weight) < 0)?.[0] ?? 'chit_chat';
    return {
      requestId: `r-${i}`,
      // Unique per question: identical questions in flight would share one model call (not measured here).
      text: `${PHRASES[intent]} (${i})`,
      classification: { intent, complexity: intent === 'recommendation' ? 'complex' : 'simple', risk: 'low', filters: {}, titleIds: intent === 'title_lookup' ? ['frieren'] : [] },
      hit: random() * 100 < config.BENCH_HIT_PERCENT,
      edge: drawLatency(random, SEED_TABLE['api-gateway']),
      cacheLookup: drawLatency(random, SEED_TABLE['cache-lookup']),
      search: drawLatency(random, SEED_TABLE['vector-search']),
      session: drawLatency(random, SEED_TABLE['dynamo-session']),
      model: drawLatency(random, SEED_TABLE['bedrock-invoke']),
      guardrail: drawLatency(random, SEED_TABLE['guardrails-check']),
      cacheWrite: drawLatency(random, CACHE_WRITE),
      sessionWrite: drawLatency(random, SESSION_WRITE),
      connects: Array.from({ length: 6 }, () => drawUniform(random, CONNECT_MS)),
    };
  });
}

const CATALOG: ProductSummary[] = Array.from({ length: 10 }, (_, i) => ({
  id: i === 0 ? 'frieren' : `p${i}`,
  title: `作品${i}`,
  creator: '作者',
  priceJpy: 500 + 100 * i,
  inStock: true,
  demographic: 'shonen',
  nextVolumeDate: null,
}));

const traces = new AsyncLocalStorage<Trace>();
const currentTrace = (): Trace => {
  const trace = traces.getStore();
  if (!trace) throw new Error('a stand-in was called outside a traced request');
  return trace;
};
const since = (trace: Trace) => performance.now() - trace.t0;
const sleepUntil = (deadline: number) => sleep(Math.max(0, deadline - performance.now()));

/** The network between the app and its downstreams: a connection per call, or keep-alive pools. */
class Network {
  private readonly idle = new Map<Endpoint, number>();
  constructor(readonly keepAlive: boolean) {}

  private async connect(trace: Trace, endpoint: Endpoint): Promise<void> {
    // Redis clients keep one connection open in both pipelines.
    if (endpoint === 'redis') return;
    const idle = this.idle.get(endpoint) ?? 0;
    if (this.keepAlive && idle > 0) {
      this.idle.set(endpoint, idle - 1);
      return;
    }
    await sleep(trace.script.connects[trace.nextConnect++ % trace.script.connects.length] ?? CONNECT_MS.max);
  }

  private release(endpoint: Endpoint): void {
    if (this.keepAlive && endpoint !== 'redis') this.idle.set(endpoint, (this.idle.get(endpoint) ?? 0) + 1);
  }

  /** Time spent before the app (API Gateway): no connection of the app's own. */
  async local(trace: Trace, name: string, ms: number): Promise<void> {
    const start = since(trace);
    await sleep(ms);
    trace.spans.push({ name, start, connected: start, end: since(trace), offPath: false });
  }

  /** One request/response call costing `ms` once connected. */
  async call(trace: Trace, endpoint: Endpoint, name: string, ms: number, offPath = false): Promise<void> {
    const start = since(trace);
    await this.connect(trace, endpoint);
    const connected = since(trace);
    await sleep(ms);
    trace.spans.push({ name, start, connected, end: since(trace), offPath });
    this.release(endpoint);
  }

  /** The model's answer: the first token after FIRST_TOKEN_SHARE of its time, the rest evenly, at absolute deadlines. */
  async *stream(trace: Trace): AsyncGenerator<string> {
    const start = since(trace);
    await this.connect(trace, 'bedrock');
    const connected = since(trace);
    const began = performance.now();
    const firstAt = trace.script.model * FIRST_TOKEN_SHARE;
    try {
      for (let i = 0; i < TOKENS; i++) {
        await sleepUntil(began + firstAt + ((trace.script.model - firstAt) * i) / (TOKENS - 1));
        if (i === 0) trace.firstToken = since(trace);
        yield i === 0 ? 'おすすめは' : '作品です。';
      }
    } finally {
      trace.spans.push({ name: 'bedrock-invoke', start, connected, end: since(trace), offPath: false });
      this.release('bedrock');
    }
  }
}

function cachedHit(script: Script): CacheHit {
  return { kind: 'exact', precomputed: false, answer: '人気の作品はこちらです。', model: 'haiku', similarity: 1, question: script.text, createdAt: new Date().toISOString() };
}

const storedSession = (sessionId: string): SessionView => ({
  sessionId,
  lastSeq: 1,
  turns: [{ seq: 1, requestId: 'r-prev', user: '前の質問', assistant: '前の答え', intent: 'chit_chat', at: '2026-12-01T00:00:00.000Z' }],
  summary: '',
});

// ── naive ───────────────────────────────────────────────────────────────────────────────────

async function naiveAnswer(net: Network, trace: Trace): Promise<void> {
  const { script } = trace;
  await net.call(trace, 'redis', 'cache-lookup', script.cacheLookup);
  if (!script.hit) {
    await net.call(trace, 'opensearch', 'vector-search', script.search);
    await net.call(trace, 'dynamodb', 'dynamo-session', script.session);
    // The whole answer first: the guardrail checks it before anything is sent.
    for await (const token of net.stream(trace)) void token;
    await net.call(trace, 'bedrock', 'guardrails-check', script.guardrail);
    await net.call(trace, 'redis', 'cache-write', script.cacheWrite);
  }
  await net.call(trace, 'dynamodb', 'session-write', script.sessionWrite);
  trace.firstText = trace.done = since(trace);
}

// ── ours ────────────────────────────────────────────────────────────────────────────────────

function oursDeps(net: Network, byRequest: Map<string, Trace>, postProcessing: Promise<void>[]): ChatPipelineDeps {
  const cache: ResponseCache = {
    held: () => null,
    lookup: async () => {
      const trace = currentTrace();
      await net.call(trace, 'redis', 'cache-lookup', trace.script.cacheLookup);
      return trace.script.hit ? cachedHit(trace.script) : null;
    },
    write: async () => 'written',
    holdLocally: () => false,
    close: async () => undefined,
  };
  const products: ProductSource = {
    search: async (_query, _filters, k) => {
      const trace = currentTrace();
      await net.call(trace, 'opensearch', 'vector-search', trace.script.search);
      return CATALOG.slice(0, k);
    },
    list: async (_kind, _filters, k) => {
      const trace = currentTrace();
      await net.call(trace, 'opensearch', 'vector-search', trace.script.search);
      return CATALOG.slice(0, k);
    },
    byIds: (ids) => CATALOG.filter((p) => ids.includes(p.id)),
  };
  const model: ModelGateway = {
    stream: () => ({ promptBytes: 400, tokens: net.stream(currentTrace()), usage: () => undefined }),
  };
  // The post-processor: the guardrail on each fresh answer, then its cache write and session turn.
  const postProcess = async (trace: Trace, fresh: boolean) => {
    const { script } = trace;
    if (fresh) {
      await net.call(trace, 'bedrock', 'guardrails-check', script.guardrail, true);
      await Promise.all([net.call(trace, 'redis', 'cache-write', script.cacheWrite, true), net.call(trace, 'dynamodb', 'session-write', script.sessionWrite, true)]);
    } else {
      await net.call(trace, 'dynamodb', 'session-write', script.sessionWrite, true);
    }
  };
  const producer: JobProducer = {
    enqueue: (name, data) => {
      if (name !== 'answered-batch') return;
      for (const answer of (data as AnsweredBatchJob).answers) {
        const trace = byRequest.get(answer.requestId);
        if (trace) postProcessing.push(traces.run(trace, () => postProcess(trace, answer.model !== 'cache')));
      }
    },
    pending: () => 0,
    flush: async () => true,
    close: async () => undefined,
  };
  return {
    classifier: { classify: () => currentTrace().script.classification },
    cache,
    products,
    sessions: {
      load: async (sessionId) => {
        const trace = currentTrace();
        await net.call(trace, 'dynamodb', 'dynamo-session', trace.script.session);
        return storedSession(sessionId);
      },
    },
    model,
    route: (c) => (c.complexity === 'complex' ? 'sonnet' : 'haiku'),
    producer,
    sequence: { next: async (_id, known) => known + 1 },
    registry: createMetricsRegistry('chat-gateway', { defaultMetrics: false }),
    log: { warn: () => undefined, error: (obj, msg) => console.error(msg, obj) },
    policies: createDownstreamPolicies(),
  };
}

// ── the run ─────────────────────────────────────────────────────────────────────────────────

interface PhaseResult {
  traces: Trace[];
  prefetchMs: number[];
  wallMs: number;
}

async function runPhase(kind: 'naive' | 'ours', scripts: Script[], connectionScripts: Script[]): Promise<PhaseResult> {
  const net = new Network(kind === 'ours');
  const byRequest = new Map<string, Trace>();
  const postProcessing: Promise<void>[] = [];
  const deps = kind === 'ours' ? oursDeps(net, byRequest, postProcessing) : undefined;
  const pipeline = deps ? createChatPipeline(deps) : undefined;
  const done: Trace[] = [];
  const prefetchMs: number[] = [];
  const connections = Math.ceil(scripts.length / QUESTIONS_PER_CONNECTION);
  let next = 0;
  const started = performance.now();

  const user = async () => {
    for (let c = next++; c < connections; c = next++) {
      const context: ChatContext = { sessionId: `s-${c}`, connectionId: `c-${c}` };
      if (deps) {
        // On connect, before the first message (the user is still typing): the session and the trending list.
        const script = connectionScripts[c];
        if (!script) throw new Error(`no draws for connection ${c}`);
        const trace: Trace = { script, t0: performance.now(), spans: [], nextConnect: 0 };
        await traces.run(trace, async () => {
          const [session, trending] = await Promise.all([deps.sessions.load(context.sessionId), deps.products.list('trending', {}, 5)]);
          Object.assign(context, { session, trending, prefetched: true });
        });
        prefetchMs.push(since(trace));
      }
      for (const script of scripts.slice(c * QUESTIONS_PER_CONNECTION, (c + 1) * QUESTIONS_PER_CONNECTION)) {
        const trace: Trace = { script, t0: performance.now(), spans: [], nextConnect: 0 };
        byRequest.set(script.requestId, trace);
        await traces.run(trace, async () => {
          await net.local(trace, 'api-gateway', script.edge);
          if (!pipeline) return naiveAnswer(net, trace);
          await pipeline.handle({ requestId: script.requestId, text: script.text, validateMs: 0 }, context, {
            token: () => (trace.firstText ??= since(trace)),
            done: () => (trace.done = since(trace)),
            error: (code, message) => {
              throw new Error(`${script.requestId}: ${code} ${message}`);
            },
          });
        });
        done.push(trace);
      }
    }
  };
  await Promise.all(Array.from({ length: config.BENCH_CONCURRENCY }, user));
  const wallMs = performance.now() - started;
  pipeline?.drainAnswers();
  // The hand-off leaves once its batch window closes; then the post-processing runs out.
  await sleep(50);
  await Promise.all(postProcessing);
  deps?.policies?.dispose();
  return { traces: done, prefetchMs, wallMs };
}

// ── report ──────────────────────────────────────────────────────────────────────────────────

const SEGMENTS = ['api-gateway', 'cache-lookup', 'dynamo-session', 'vector-search', 'bedrock-invoke', 'guardrails-check', 'post-writes'] as const;

/** A segment's time on the answer's path in one request (0 when it did not run there). */
function onPath(trace: Trace, segment: string): number {
  const names = segment === 'post-writes' ? ['cache-write', 'session-write'] : [segment];
  return trace.spans.filter((s) => !s.offPath && names.includes(s.name)).reduce((sum, s) => sum + s.end - s.start, 0);
}
const offPath = (trace: Trace, segment: string) => {
  const names = segment === 'post-writes' ? ['cache-write', 'session-write'] : [segment];
  return trace.spans.filter((s) => s.offPath && names.includes(s.name));
};
const connectOnPath = (trace: Trace) => trace.spans.filter((s) => !s.offPath).reduce((sum, s) => sum + s.connected - s.start, 0);

/** From the model call's connection being ready to its first token. */
const firstTokenWait = (trace: Trace) => (trace.firstToken ?? Number.NaN) - (trace.spans.find((s) => s.name === 'bedrock-invoke')?.connected ?? Number.NaN);

const fmt = (ms: number) => (Number.isNaN(ms) ? '—' : ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
const pad = (cells: string[], widths: number[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');

function report(naive: PhaseResult, ours: PhaseResult): string[] {
  const lines: string[] = [];
  const misses = (r: PhaseResult) => r.traces.filter((t) => !t.script.hit);
  const stat = (values: number[]) => [fmt(percentile(values, 50)), fmt(percentile(values, 95))];
  const widths = [18, 9, 9, 11, 11, 9, 9, 9, 9];
  lines.push(`Per segment on cache misses (${misses(naive).length} of ${naive.traces.length} questions), ms; a segment that did not run on the answer's path counts 0:`);
  lines.push(pad(['segment', 'seed p50', 'seed p95', 'seed p95', 'seed p95', 'naive', 'naive', 'ours', 'ours'], widths));
  lines.push(pad(['', '(table)', '(table)', 'before', 'after', 'p50', 'p95', 'p50', 'p95'], widths));
  for (const segment of SEGMENTS) {
    const table = (SEED_TABLE as Record<string, { p50: number; p95: number }>)[segment];
    const seed = SEED_BEFORE_AFTER[segment] ?? { before: Number.NaN, after: Number.NaN };
    const oursOff = misses(ours).flatMap((t) => offPath(t, segment).map((s) => s.end - s.start));
    const oursCells = oursOff.length > 0 && misses(ours).every((t) => onPath(t, segment) === 0) ? ['async', `(${fmt(percentile(oursOff, 50))})`] : stat(misses(ours).map((t) => onPath(t, segment)));
    lines.push(
      pad(
        [segment, table ? fmt(table.p50) : '—', table ? fmt(table.p95) : '—', fmt(seed.before), typeof seed.after === 'number' ? fmt(seed.after) : seed.after, ...stat(misses(naive).map((t) => onPath(t, segment))), ...oursCells],
        widths,
      ),
    );
  }
  lines.push(pad(['new connections', '—', '—', '—', '—', ...stat(misses(naive).map(connectOnPath)), ...stat(misses(ours).map(connectOnPath))], widths));
  lines.push(pad(['model 1st token', '—', '—', '—', '—', ...stat(misses(naive).map(firstTokenWait)), ...stat(misses(ours).map(firstTokenWait))], widths));
  lines.push('(seed p95 before/after: seed 000\'s waterfall; "async (n)": off the answer\'s path in ours, p50 n ms after `done`;');
  lines.push(' vector-search includes the ranked-list queries of trending, new releases and genres; ours answers trending from the list prefetched on connect.)');
  lines.push('');
  const e2e = (r: PhaseResult, filter: (t: Trace) => boolean, field: 'done' | 'firstText') => r.traces.filter(filter).map((t) => t[field] ?? Number.NaN);
  const all = () => true;
  const miss = (t: Trace) => !t.script.hit;
  const hit = (t: Trace) => t.script.hit;
  const e2eWidths = [34, 9, 9, 9, 9, 9, 9, 9];
  lines.push('End to end, from the question leaving the client to the answer (ms):');
  lines.push(pad(['', 'naive p50', 'naive p95', 'ours p50', 'ours p95', 'p95 ratio', 'seed p95', 'seed ratio'], e2eWidths));
  const row = (label: string, filter: (t: Trace) => boolean, field: 'done' | 'firstText', seed: boolean) => {
    const n = e2e(naive, filter, field);
    const o = e2e(ours, filter, field);
    const ratio = percentile(o, 95) / percentile(n, 95);
    lines.push(pad([label, fmt(percentile(n, 50)), fmt(percentile(n, 95)), fmt(percentile(o, 50)), fmt(percentile(o, 95)), `${ratio.toFixed(2)}×`, seed ? '1100→760' : '', seed ? '0.69×' : ''], e2eWidths));
    return ratio;
  };
  const ratio = row('answer complete, all questions', all, 'done', true);
  row('answer complete, cache misses', miss, 'done', false);
  row('answer complete, cache hits', hit, 'done', false);
  const firstRatio = row('first text seen, all questions', all, 'firstText', false);
  lines.push('');
  lines.push(`Target ours ≤ 0.6 × naive at p95 (answer complete, all questions): ${ratio.toFixed(2)}× — ${ratio <= 0.6 ? 'met' : 'not met'}; first text seen: ${firstRatio.toFixed(2)}×.`);
  lines.push(`Ours, prefetch on connect (off the questions' path): p50 ${fmt(percentile(ours.prefetchMs, 50))} ms, p95 ${fmt(percentile(ours.prefetchMs, 95))} ms over ${ours.prefetchMs.length} connections.`);
  lines.push(`Wall time: naive ${(naive.wallMs / 1000).toFixed(1)} s, ours ${(ours.wallMs / 1000).toFixed(1)} s.`);
  return lines;
}

/**
 * The recommendation miss whose drawn latencies are nearest the seed's p50s (in ms: the model's
 * weighs most, as in the answer's time): one real request, the
 * same question (and draws) in both panels.
 */
function typicalScript(scripts: Script[]): Script | undefined {
  const distance = (s: Script) =>
    [
      [s.edge, SEED_TABLE['api-gateway'].p50],
      [s.cacheLookup, SEED_TABLE['cache-lookup'].p50],
      [s.search, SEED_TABLE['vector-search'].p50],
      [s.session, SEED_TABLE['dynamo-session'].p50],
      [s.model, SEED_TABLE['bedrock-invoke'].p50],
      [s.guardrail, SEED_TABLE['guardrails-check'].p50],
    ].reduce((sum, [drawn = 0, p50 = 0]) => sum + Math.abs(drawn - p50), 0);
  const candidates = scripts.filter((s) => !s.hit && s.classification.intent === 'recommendation');
  return candidates.reduce<Script | undefined>((best, s) => (!best || distance(s) < distance(best) ? s : best), undefined);
}

/** One request's spans as bars, with the phase's p50 and p95 of a complete answer on a miss. */
function panelFor(title: string, result: PhaseResult, requestId: string | undefined): WaterfallPanel {
  const trace = result.traces.find((t) => t.script.requestId === requestId);
  const names = ['api-gateway', 'cache-lookup', 'vector-search', 'dynamo-session', 'bedrock-invoke', 'guardrails-check', 'cache-write', 'session-write'];
  const bars: WaterfallBar[] = [];
  for (const name of names) {
    const span = trace?.spans.find((s) => s.name === name);
    if (span) bars.push({ label: name, start: span.start, connected: span.connected, end: span.end, offPath: span.offPath, marker: name === 'bedrock-invoke' ? trace?.firstToken : undefined });
    else if (name === 'dynamo-session') bars.push({ label: name, start: 0, connected: 0, end: 0, offPath: false, note: 'prefetched on connect' });
  }
  const done = result.traces.filter((t) => !t.script.hit).map((t) => t.done ?? Number.NaN);
  return { title, bars, doneP50: percentile(done, 50), doneP95: percentile(done, 95) };
}

async function main() {
  const scripts = drawScripts(config.BENCH_REQUESTS, config.BENCH_SEED);
  const connectionScripts = drawScripts(Math.ceil(config.BENCH_REQUESTS / QUESTIONS_PER_CONNECTION), config.BENCH_SEED + 1_000_003);
  const hits = scripts.filter((s) => s.hit).length;
  const header = [
    `bench:waterfall — ${config.BENCH_REQUESTS} questions (${hits} cache hits, ${((100 * hits) / scripts.length).toFixed(0)} %), ${config.BENCH_CONCURRENCY} users at a time, ${QUESTIONS_PER_CONNECTION} questions per connection, seed ${config.BENCH_SEED}`,
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    '',
  ];
  console.log(header.join('\n'));
  const naive = await runPhase('naive', scripts, connectionScripts);
  const ours = await runPhase('ours', scripts, connectionScripts);
  console.log(report(naive, ours).join('\n'));

  const typical = typicalScript(scripts);
  const panels: WaterfallPanel[] = [
    panelFor('naive: sequential, a new connection per call, synchronous guardrail and writes', naive, typical?.requestId),
    panelFor('ours: createChatPipeline, keep-alive pools, prefetch on connect, post-processing after done', ours, typical?.requestId),
  ];
  const file = path.resolve(config.BENCH_WATERFALL_PNG);
  mkdirSync(path.dirname(file), { recursive: true });
  await renderWaterfall(panels, file, `A typical cache miss (${typical?.requestId ?? 'none'}, a recommendation), ms; red lines: p50 and p95 over all ${naive.traces.filter((t) => !t.script.hit).length} misses`);
  console.log(`\nwaterfall: ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
