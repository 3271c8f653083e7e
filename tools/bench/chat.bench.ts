// The gateway's own cost on the chat path, measured side by side in one run:
//   1. the local model provider called directly, in process (the baseline), 50 calls at a time;
//   2. the same kind of questions through the gateway over 50 open WebSockets (cache misses), each
//      socket sending at a steady pace whatever the answers do (open loop, like wrk2: a slow answer
//      cannot hold back the next question and hide itself);
//   3. cache hits over the same sockets, paced the same way, next to the transport floor: the same
//      frames from a bare WebSocket server (tools/bench/echo-floor.cjs) over 50 sockets of its own,
//      paced alike, so that what a hit costs above the floor is the gateway's own work;
//   4. and 5. misses and hits again with every socket sending its next question as soon as the
//      last is answered (closed loop): the machine saturated, for throughput, not for the targets.
// "Added" latency is (2) minus (1) per percentile. CPU time per request is read from /proc for the
// gateway and from INFO for Redis: steadier than latency on a shared machine.
// Run: npm run bench:chat
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { Redis } from 'ioredis';
import { createResponseCache } from '@manga-assist/cache';
import { loadCatalog } from '@manga-assist/catalog';
import { cacheScopeFor } from '@manga-assist/chat';
import { createClassifier } from '@manga-assist/intent';
import { createProductSource } from '@manga-assist/retrieval';
import type { ClassifierPort, ProductSource } from '@manga-assist/chat';
import type { ServerFrame } from '@manga-assist/contracts';
import { assemblePrompt, createLocalModelProvider, routeModel } from '@manga-assist/fm';
import type { ModelRequest } from '@manga-assist/fm';
import { createHashedNgramEmbedder, createProductRetriever, loadOrBuildHnswIndex } from '@manga-assist/retrieval';
import { spawnProcess } from '@manga-assist/testing';
import type { SpawnedProcess } from '@manga-assist/testing';
import type { Histogram } from 'hdr-histogram-js';
import { histogram, startBenchSystem, table } from './bench-support';
import { segmentReport, writeSegmentReport } from './segment-report';

const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 50);
const PER_SOCKET = Number(process.env['BENCH_PER_SOCKET'] ?? 20);
/**
 * The open-loop comparisons (baseline and misses, floor and hits) run this many rounds, each pair
 * back to back: a pair shares the machine's mood of the moment, and the rounds show how much a p99
 * moves from one moment to the next on a shared machine.
 */
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/** Phases to run (e.g. BENCH_PHASES=hit to profile cache hits alone): miss, floor, hit, miss-closed, hit-closed. */
const PHASES = new Set((process.env['BENCH_PHASES'] ?? 'miss,floor,hit,miss-closed,hit-closed').split(','));
/** Where the per-segment report for the regression gate goes (npm run bench:gate compares it). */
const REPORT_PATH = process.env['BENCH_REPORT'] ?? '.data/bench/chat.json';
/** Open loop: each socket sends a question every this many ms (50 sockets: 100 misses/s, 500 hits/s). */
const MISS_INTERVAL_MS = Number(process.env['BENCH_MISS_INTERVAL_MS'] ?? 500);
const HIT_INTERVAL_MS = Number(process.env['BENCH_HIT_INTERVAL_MS'] ?? 100);
const FIRST_TOKEN_MS = Number(process.env['BENCH_FIRST_TOKEN_MS'] ?? 50);
const TOKEN_MS = Number(process.env['BENCH_TOKEN_MS'] ?? 2);
const profiles = { haiku: { firstTokenMs: FIRST_TOKEN_MS, perTokenMs: TOKEN_MS }, sonnet: { firstTokenMs: FIRST_TOKEN_MS, perTokenMs: TOKEN_MS } };

// Unique filters per question: every one is a cache miss, and all are simple (Haiku) questions.
const question = (i: number) => `recommend a shonen manga under ${600 + i} yen`;

async function pool(n: number, worker: (slot: number) => Promise<void>) {
  await Promise.all(Array.from({ length: n }, (_, slot) => worker(slot)));
}

async function direct(total: number, into: Histogram, classifier: ClassifierPort, products: ProductSource) {  // The exact requests the gateway sends, prepared outside the timed part.
  const requests: ModelRequest[] = [];
  for (let i = 0; i < total; i++) {
    const c = classifier.classify(question(i));
    const found = await products.search(question(i), c.filters, 5);
    const prompt = assemblePrompt({ userText: question(i), intent: c.intent, history: [], products: found });
    requests.push({ profile: routeModel(c), system: prompt.system, messages: prompt.messages, grounding: prompt.grounding });
  }
  const provider = createLocalModelProvider({ profiles });
  let next = 0;
  await pool(CONCURRENCY, async () => {
    while (next < total) {
      const request = requests[next++]!;
      const t0 = performance.now();
      for await (const event of provider.stream(request)) void event;
      into.recordValue(Math.round((performance.now() - t0) * 1000));
    }
  });
}

class Socket {
  private readonly waiters = new Map<string, (frame: ServerFrame) => void>();
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      if ((frame.type === 'done' || frame.type === 'error') && this.waiters.has(frame.requestId ?? '')) {
        this.waiters.get(frame.requestId ?? '')!(frame);
        this.waiters.delete(frame.requestId ?? '');
      }
    });
  }
  static open(url: string) {
    return new Promise<Socket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new Socket(ws)));
      ws.once('error', reject);
    });
  }
  ask(requestId: string, text: string) {
    return new Promise<ServerFrame>((resolve) => {
      this.waiters.set(requestId, resolve);
      this.ws.send(JSON.stringify({ action: 'sendMessage', requestId, text }));
    });
  }
}

/** The bare WebSocket server of the transport floor, started as its own process; resolves with its URL. */
async function startEchoFloor(): Promise<{ url: string; process: SpawnedProcess }> {
  const echo = spawnProcess(process.execPath, [path.join(__dirname, 'echo-floor.cjs')]);
  const [, port] = await echo.waitForOutput(/listening (\d+)/, 10_000);
  return { url: `ws://127.0.0.1:${port}/ws`, process: echo };
}

/** CPU seconds used so far by a process (user + system), from /proc. */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}
/** CPU seconds the Redis server has used so far (user + system), from INFO. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_sys') + field('used_cpu_user');
}

interface PhaseCpu {
  gatewayUs: number;
  redisUs: number;
  loadGeneratorUs: number;
  /** The gateway's garbage collections during the phase, by kind: count and total pause (ms). */
  gc: Record<string, { count: number; ms: number }>;
  /** How late the event loops ran their timers during the phase (ms past due): p99 and max. */
  loopDelay: { gateway: [number, number]; loadGenerator: [number, number] };
}

/** Sums of every series of `metric` (a counter, or a histogram's _sum/_count) by one label. */
function sumByLabel(metrics: string, metric: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const line = new RegExp(`^${metric}\\{([^}]*)\\} ([\\d.e+-]+)$`, 'gm');
  for (const [, labels, value] of metrics.matchAll(line)) {
    const key = new RegExp(`${label}="([^"]*)"`).exec(labels!)?.[1] ?? '';
    out[key] = (out[key] ?? 0) + Number(value);
  }
  return out;
}

/** One phase's figures over several rounds: CPU per request averaged, GC summed, lateness at its worst. */
function combine(rounds: PhaseCpu[]): PhaseCpu {
  if (rounds.length === 0 || rounds.some((r) => Number.isNaN(r.gatewayUs))) return rounds[0] ?? NOT_RUN;
  const mean = (pick: (r: PhaseCpu) => number) => Math.round(rounds.reduce((sum, r) => sum + pick(r), 0) / rounds.length);
  const gc: PhaseCpu['gc'] = {};
  for (const round of rounds) {
    for (const [kind, { count, ms }] of Object.entries(round.gc)) {
      const into = (gc[kind] ??= { count: 0, ms: 0 });
      into.count += count;
      into.ms += ms;
    }
  }
  const worst = (pick: (r: PhaseCpu) => number) => Math.max(...rounds.map(pick));
  return {
    gatewayUs: mean((r) => r.gatewayUs),
    redisUs: mean((r) => r.redisUs),
    loadGeneratorUs: mean((r) => r.loadGeneratorUs),
    gc,
    loopDelay: {
      gateway: [worst((r) => r.loopDelay.gateway[0]), worst((r) => r.loopDelay.gateway[1])],
      loadGenerator: [worst((r) => r.loopDelay.loadGenerator[0]), worst((r) => r.loopDelay.loadGenerator[1])],
    },
  };
}

const NOT_RUN: PhaseCpu = { gatewayUs: NaN, redisUs: NaN, loadGeneratorUs: NaN, gc: {}, loopDelay: { gateway: [NaN, NaN], loadGenerator: [NaN, NaN] } };

async function main() {
  const total = CONCURRENCY * PER_SOCKET;
  const catalog = await loadCatalog();
  const embedder = createHashedNgramEmbedder({ dimensions: 384 });
  const system = await startBenchSystem({
    LOCAL_HAIKU_FIRST_TOKEN_MS: String(FIRST_TOKEN_MS),
    LOCAL_HAIKU_TOKEN_MS: String(TOKEN_MS),
    LOCAL_SONNET_FIRST_TOKEN_MS: String(FIRST_TOKEN_MS),
    LOCAL_SONNET_TOKEN_MS: String(TOKEN_MS),
    // BENCH_PROFILE_DIR=dir writes the gateway's CPU profile there, BENCH_ALLOC_PROFILE_DIR=dir its
    // allocation profile (open either in Chrome DevTools); BENCH_NODE_OPTIONS are passed to the
    // gateway's node (e.g. GC settings to compare).
    NODE_OPTIONS: [
      process.env['BENCH_NODE_OPTIONS'] ?? '',
      process.env['BENCH_PROFILE_DIR'] ? `--require ${path.join(__dirname, 'cpu-profile.cjs')}` : '',
      process.env['BENCH_ALLOC_PROFILE_DIR'] ? `--require ${path.join(__dirname, 'alloc-profile.cjs')}` : '',
    ].join(' ').trim(),
    ...(process.env['BENCH_PROFILE_DIR'] ? { CPU_PROFILE_DIR: process.env['BENCH_PROFILE_DIR'] } : {}),
    ...(process.env['BENCH_ALLOC_PROFILE_DIR'] ? { ALLOC_PROFILE_DIR: process.env['BENCH_ALLOC_PROFILE_DIR'] } : {}),
  }, ['chat-gateway']); // the post-processor is off the critical path: it would only compete for the same 2 cores
  const gatewayPid = system.pids['chat-gateway']!;
  const redis = new Redis(system.env['REDIS_URL']!);
  const index = await loadOrBuildHnswIndex({ catalog, embedder, dir: system.env['INDEX_DIR']!, log: { info: () => undefined, warn: () => undefined } });
  const retriever = createProductRetriever({ catalog, embedder, index });
  const classifier = createClassifier(retriever);
  const errors: string[] = [];
  const segments = new Map<string, Histogram>();
  /** Per segment of the hits, and their sum: the part of a hit's round trip spent inside the gateway. */
  const hitSegments = new Map<string, Histogram>();
  const record = (into: Map<string, Histogram>, name: string, ms: number) => {
    let h = into.get(name);
    if (!h) into.set(name, (h = histogram()));
    h.recordValue(Math.max(1, Math.round(ms * 1000)));
  };
  const recordSegments = (frame: ServerFrame, into: Map<string, Histogram> = segments) => {
    if (frame.type !== 'done') return;
    let inside = 0;
    for (const [name, value] of Object.entries(frame.timings)) {
      if (name === 'prompt-bytes' || name === 'prefetched') continue;
      record(into, name, value);
      inside += value;
    }
    if (into === hitSegments) record(into, 'all segments', inside);
  };
  const expect = (frame: ServerFrame, cached: boolean) => {
    if (frame.type !== 'done' || frame.cached !== cached) errors.push(JSON.stringify(frame).slice(0, 200));
  };
  /** Runs one phase and measures the CPU each process spent on it, per request. */
  const gatewayMetrics = async () => (await fetch(`${system.gatewayUrl}/metrics`)).text();
  const gcTotals = (metrics: string) => ({
    count: sumByLabel(metrics, 'manga_assist_nodejs_gc_duration_seconds_count', 'kind'),
    seconds: sumByLabel(metrics, 'manga_assist_nodejs_gc_duration_seconds_sum', 'kind'),
  });
  const measured = async (name: string, requests: number, phase: () => Promise<void>): Promise<PhaseCpu> => {
    if (!PHASES.has(name)) return NOT_RUN;
    // Scraping resets the gateway's event-loop delay histogram (prom-client, 10 ms resolution).
    const gc0 = gcTotals(await gatewayMetrics());
    const ownLoop = monitorEventLoopDelay({ resolution: 1 });
    ownLoop.enable();
    const [gw0, rd0, lg0] = [processCpuSeconds(gatewayPid), await redisCpuSeconds(redis), process.cpuUsage()];
    await phase();
    const lg = process.cpuUsage(lg0);
    ownLoop.disable();
    const [gw1, rd1] = [processCpuSeconds(gatewayPid), await redisCpuSeconds(redis)];
    const after = await gatewayMetrics();
    const gc1 = gcTotals(after);
    const gauge = (name: string) => Number(new RegExp(`^manga_assist_${name}\\{[^}]*\\} ([\\d.e+-]+)$`, 'm').exec(after)?.[1] ?? NaN) * 1000;
    const late = (ms: number, resolutionMs: number) => Math.max(0, ms - resolutionMs);
    const loopDelay: PhaseCpu['loopDelay'] = {
      gateway: [late(gauge('nodejs_eventloop_lag_p99_seconds'), 10), late(gauge('nodejs_eventloop_lag_max_seconds'), 10)],
      loadGenerator: [late(ownLoop.percentile(99) / 1e6, 1), late(ownLoop.max / 1e6, 1)],
    };
    const gc: PhaseCpu['gc'] = {};
    for (const kind of Object.keys(gc1.count)) {
      gc[kind] = { count: gc1.count[kind]! - (gc0.count[kind] ?? 0), ms: (gc1.seconds[kind]! - (gc0.seconds[kind] ?? 0)) * 1000 };
    }
    const per = (seconds: number) => Math.round((seconds * 1e6) / requests);
    return { gatewayUs: per(gw1 - gw0), redisUs: per(rd1 - rd0), loadGeneratorUs: per((lg.user + lg.system) / 1e6), gc, loopDelay };
  };
  try {
    const sockets = await Promise.all(Array.from({ length: CONCURRENCY }, () => Socket.open(system.wsUrl)));
    // Warm-up: one round through every socket, not recorded.
    await pool(CONCURRENCY, async (s) => void (await sockets[s]!.ask(`w${s}`, question(100_000 + s))));


    /** Open loop: every socket sends PER_SOCKET questions, one every `intervalMs`, offset evenly. */
    const paced = (into: Histogram, intervalMs: number, ask: (s: number, k: number) => [string, string], cached: boolean, segmentsInto: Map<string, Histogram>, over: Socket[] = sockets) =>
      pool(CONCURRENCY, async (s) => {
        await sleep((intervalMs * s) / CONCURRENCY);
        const answers: Promise<void>[] = [];
        for (let k = 0; k < PER_SOCKET; k++) {
          const [id, text] = ask(s, k);
          const t0 = performance.now();
          answers.push(
            over[s]!.ask(id, text).then((frame) => {
              into.recordValue(Math.round((performance.now() - t0) * 1000));
              recordSegments(frame, segmentsInto);
              expect(frame, cached);
            }),
          );
          await sleep(intervalMs);
        }
        await Promise.all(answers);
      });
    /** Closed loop: every socket asks its next question as soon as the last one is answered. */
    const saturated = (into: Histogram, ask: (s: number, k: number) => [string, string], cached: boolean) =>
      pool(CONCURRENCY, async (s) => {
        for (let k = 0; k < PER_SOCKET; k++) {
          const [id, text] = ask(s, k);
          const t0 = performance.now();
          const frame = await sockets[s]!.ask(id, text);
          into.recordValue(Math.round((performance.now() - t0) * 1000));
          expect(frame, cached);
        }
      });

    // Unique filters per question: every one is a cache miss.
    const miss = (offset: number) => (s: number, k: number): [string, string] => {
      const i = offset + s * PER_SOCKET + k;
      return [`m${i}`, question(i)];
    };
    // Cache hits: the answer is stored the way the post-processor stores it, then asked for.
    const hot = 'trending manga';
    const cache = createResponseCache({ redis, embed: embedder.embedSync, dimensions: embedder.dimensions, keyPrefix: `${system.env['KEY_PREFIX']}rc:` });
    await cache.write({ question: hot, answer: 'This week the best sellers are …', model: 'haiku', scope: cacheScopeFor(classifier.classify(hot), hot), ttlSeconds: 600 });
    const hit = (tag: string) => (s: number, k: number): [string, string] => [`${tag}${s}-${k}`, hot];
    // The floor: the same two frames per question from a server that does nothing else, paced alike.
    const echo = PHASES.has('floor') ? await startEchoFloor() : undefined;
    const echoSockets = echo ? await Promise.all(Array.from({ length: CONCURRENCY }, () => Socket.open(echo.url))) : [];
    await pool(echoSockets.length, async (s) => void (await echoSockets[s]!.ask(`fw${s}`, hot)));

    // Pooled over the rounds, and each round's own.
    const [baseline, misses, floor, hits] = [histogram(), histogram(), histogram(), histogram()];
    const perRound: { baseline: Histogram; misses: Histogram; floor: Histogram; hits: Histogram }[] = [];
    const missCpus: PhaseCpu[] = [];
    const hitCpus: PhaseCpu[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const r = { baseline: histogram(), misses: histogram(), floor: histogram(), hits: histogram() };
        // The baseline is what the open-loop misses are compared with: only needed when they run.
        if (PHASES.has('miss')) {
          await direct(total, r.baseline, classifier, createProductSource(retriever));
          missCpus.push(await measured('miss', total, () => paced(r.misses, MISS_INTERVAL_MS, miss(round * total), false, segments)));
        }
        if (echo) await paced(r.floor, HIT_INTERVAL_MS, hit(`f${round}-`), true, new Map(), echoSockets);
        if (PHASES.has('hit')) hitCpus.push(await measured('hit', total, () => paced(r.hits, HIT_INTERVAL_MS, hit(`c${round}-`), true, hitSegments)));
        baseline.add(r.baseline);
        misses.add(r.misses);
        floor.add(r.floor);
        hits.add(r.hits);
        perRound.push(r);
      }
    } finally {
      for (const socket of echoSockets) socket.ws.close();
      await echo?.process.stop();
    }
    const [missCpu, hitCpu] = [combine(missCpus), combine(hitCpus)];

    const missesClosed = histogram();
    const missClosedCpu = await measured('miss-closed', total, () => saturated(missesClosed, miss(ROUNDS * total), false));
    const hitsClosed = histogram();
    const hitClosedCpu = await measured('hit-closed', total, () => saturated(hitsClosed, hit('d'), true));
    for (const socket of sockets) socket.ws.close();

    const added = (p: number) => ((misses.getValueAtPercentile(p) - baseline.getValueAtPercentile(p)) / 1000).toFixed(2);
    const rate = (intervalMs: number) => Math.round((CONCURRENCY * 1000) / intervalMs);
    console.log(`\nchat path, ${CONCURRENCY} open sockets × ${PER_SOCKET} questions each; local model: first token ${FIRST_TOKEN_MS} ms, ${TOKEN_MS} ms/token`);
    console.log(`open loop: misses ${rate(MISS_INTERVAL_MS)}/s (one per socket every ${MISS_INTERVAL_MS} ms), hits ${rate(HIT_INTERVAL_MS)}/s (every ${HIT_INTERVAL_MS} ms)\n`);
    console.log(
      table([
        ['model provider called directly (baseline)', baseline],
        ['gateway, cache miss (open loop)', misses],
        ['bare WebSocket echo, a hit\'s frames (floor)', floor],
        ['gateway, cache hit (open loop)', hits],
        ['gateway, cache miss (closed loop, saturated)', missesClosed],
        ['gateway, cache hit (closed loop, saturated)', hitsClosed],
      ]),
    );
    const cpuRow = (name: string, cpu: PhaseCpu) =>
      `${name.padEnd(44)}${String(cpu.gatewayUs).padStart(10)}${String(cpu.redisUs).padStart(10)}${String(cpu.loadGeneratorUs).padStart(12)}`;
    console.log(`\nCPU per request, µs${' '.repeat(25)}${'gateway'.padStart(10)}${'redis'.padStart(10)}${'load gen.'.padStart(12)}`);
    console.log(cpuRow('cache miss (open loop)', missCpu));
    console.log(cpuRow('cache hit (open loop)', hitCpu));
    console.log(cpuRow('cache miss (closed loop)', missClosedCpu));
    console.log(cpuRow('cache hit (closed loop)', hitClosedCpu));
    const gcRow = (name: string, cpu: PhaseCpu) =>
      `${name.padEnd(44)}${['minor', 'incremental', 'major']
        .map((kind) => `${String(cpu.gc[kind]?.count ?? '-').padStart(6)} /${(cpu.gc[kind]?.ms ?? NaN).toFixed(1).padStart(7)}`)
        .join('')}`;
    console.log(`\ngateway GC during each phase, count / total pause ms    minor    incremental         major`);
    console.log(gcRow('cache miss (open loop)', missCpu));
    console.log(gcRow('cache hit (open loop)', hitCpu));
    console.log(gcRow('cache miss (closed loop)', missClosedCpu));
    console.log(gcRow('cache hit (closed loop)', hitClosedCpu));
    const delayRow = (name: string, cpu: PhaseCpu) =>
      `${name.padEnd(44)}${[...cpu.loopDelay.gateway, ...cpu.loopDelay.loadGenerator].map((ms) => ms.toFixed(2).padStart(10)).join('')}`;
    console.log(`\nevent loops running late during each phase, ms   gw p99    gw max    lg p99    lg max`);
    console.log(delayRow('cache miss (open loop)', missCpu));
    console.log(delayRow('cache hit (open loop)', hitCpu));
    console.log('\nwhere an open-loop miss spends its time inside the gateway (per segment, from the done frames):');
    console.log(table([...segments.entries()].map(([name, h]) => [`  ${name}`, h] as [string, Histogram])));
    console.log('\nwhere an open-loop hit spends its time inside the gateway (the rest of its round trip is transport and waiting):');
    console.log(table([...hitSegments.entries()].map(([name, h]) => [`  ${name}`, h] as [string, Histogram])));
    const p99 = (h: Histogram) => (h.totalCount ? (h.getValueAtPercentile(99) / 1000).toFixed(2) : '-');
    const addedP99 = (r: (typeof perRound)[number]) => (r.misses.totalCount ? ((r.misses.getValueAtPercentile(99) - r.baseline.getValueAtPercentile(99)) / 1000).toFixed(2) : '-');
    const aboveFloorP99 = (r: (typeof perRound)[number]) => (r.hits.totalCount && r.floor.totalCount ? ((r.hits.getValueAtPercentile(99) - r.floor.getValueAtPercentile(99)) / 1000).toFixed(2) : '-');
    console.log(`\neach round's p99, ms (open loop)${'added on a miss'.padStart(20)}${'floor'.padStart(10)}${'hit'.padStart(10)}${'hit above floor'.padStart(18)}`);
    perRound.forEach((r, i) => console.log(`  round ${i + 1}${' '.repeat(24)}${addedP99(r).padStart(20)}${p99(r.floor).padStart(10)}${p99(r.hits).padStart(10)}${aboveFloorP99(r).padStart(18)}`));
    const met = (ok: (r: (typeof perRound)[number]) => boolean) => `${perRound.filter(ok).length} of ${perRound.length} rounds`;
    console.log(`\ngateway added latency on a miss: p50 ${added(50)} ms, p95 ${added(95)} ms, p99 ${added(99)} ms (target p99 ≤ 3 ms; met in ${met((r) => Number(addedP99(r)) <= 3)})`);
    console.log(`cache hit round trip: p99 ${(hits.getValueAtPercentile(99) / 1000).toFixed(2)} ms (target ≤ 2 ms; met in ${met((r) => Number(p99(r.hits)) <= 2)})`);
    if (floor.totalCount && hits.totalCount) {
      const over = (p: number) => ((hits.getValueAtPercentile(p) - floor.getValueAtPercentile(p)) / 1000).toFixed(2);
      console.log(`  of which above the bare WebSocket floor (p99 ${(floor.getValueAtPercentile(99) / 1000).toFixed(2)} ms): p50 ${over(50)} ms, p95 ${over(95)} ms, p99 ${over(99)} ms`);
    }
    const throughput = (h: Histogram) => (h.totalCount ? `${Math.round(CONCURRENCY / (h.mean * 1e-6))}/s` : 'not run');
    console.log(`throughput when saturated: misses ${throughput(missesClosed)}, hits ${throughput(hitsClosed)}`);
    const rows: [string, Histogram][] = [
      ...[...segments.entries()].map(([name, h]) => [`miss:${name}`, h] as [string, Histogram]),
      ['miss:round-trip', misses],
      ['hit:round-trip', hits],
    ];
    const report = segmentReport('chat', rows.filter(([, h]) => h.totalCount > 0));
    writeSegmentReport(REPORT_PATH, report);
    console.log(`\nper-segment report for the regression gate: ${REPORT_PATH} (npm run bench:gate)`);
    if (errors.length) console.log(`\n${errors.length} unexpected answers, e.g. ${errors[0]}`);
  } finally {
    // BENCH_GATEWAY_OUTPUT=file keeps what the gateway printed (with
    // BENCH_NODE_OPTIONS="--require ./tools/bench/gc-trace.cjs", its GC trace).
    if (process.env['BENCH_GATEWAY_OUTPUT']) writeFileSync(process.env['BENCH_GATEWAY_OUTPUT'], system.output('chat-gateway'));
    redis.disconnect();
    await system.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
