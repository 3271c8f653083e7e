// Hours without growth: the gateway (with the post-processor, local model) holding SOAK_SOCKETS
// idle WebSockets (10,000) while SOAK_RATE questions a second (100) of the reference mix (22 %
// trending, 15 % new releases, 12 % genre, 8 % title lookups, 43 % unique) arrive on random ones,
// for SOAK_MINUTES (30). Every SOAK_SAMPLE_SECONDS (60) it reads the gateway's RSS, heap (used, and
// what survived the last full collection), active handles and event-loop delay from its /metrics
// and prints a row; at the end it judges the targets: RSS ≤ 300 MB with every socket open and idle;
// after the warm-up (the first third), RSS and the heap after a full collection growing ≤ 5 % (the
// lowest reading of the span's last quarter against its first) and handles not at all; no error
// frames (counted by code). Exits 1 when a target is missed.
// Run: npm run bench:soak (a short look: SOAK_MINUTES=3 SOAK_SAMPLE_SECONDS=15)
import { WebSocket } from 'ws';
import { z } from 'zod';
import { loadCatalog } from '@manga-assist/catalog';
import { loadConfig, positiveInt } from '@manga-assist/config';
import { startBenchSystem } from './bench-support';

const config = loadConfig(
  z.object({
    SOAK_SOCKETS: positiveInt(10_000),
    SOAK_RATE: positiveInt(100),
    SOAK_MINUTES: positiveInt(30),
    SOAK_SAMPLE_SECONDS: positiveInt(60),
  }),
);

const TRENDING = ['trending manga', 'popular manga', '今週の人気マンガは？', '人気マンガ', '売れてるマンガ', 'popular manga this week'];
const NEW_RELEASES = ['new releases', '新刊', '今月の新刊', 'latest releases', '新刊ある？'];
const GENRES = ['show me shonen', 'show me seinen', 'show me shojo', '少年マンガ', '少女マンガ', '青年マンガ'];

interface Sample {
  at: number;
  rssMb: number;
  heapMb: number;
  /** Heap in use just after the last full collection (what survived it; 0 before the first). */
  survivedMb: number;
  handles: number;
  loopP99Ms: number;
  answered: number;
  failed: number;
}

const metric = (text: string, name: string) => Number(new RegExp(`^manga_assist_${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
/** The sum of every series of a metric (e.g. active handles, one series per handle type). */
const metricSum = (text: string, name: string) =>
  [...text.matchAll(new RegExp(`^manga_assist_${name}\\{[^}]*\\} ([\\d.e+-]+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);

async function main() {
  const catalog = await loadCatalog();
  const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
  let n = 0;
  const question = () => {
    const r = Math.random();
    if (r < 0.22) return pick(TRENDING);
    if (r < 0.37) return pick(NEW_RELEASES);
    if (r < 0.49) return pick(GENRES);
    if (r < 0.57) return pick(catalog.items.slice(0, 100)).title;
    return `something like ${pick(catalog.items).title} under ${500 + Math.floor(Math.random() * 600)} yen, please (${n++})`;
  };

  const system = await startBenchSystem({ LOCAL_HAIKU_FIRST_TOKEN_MS: '180', LOCAL_HAIKU_TOKEN_MS: '8', LOCAL_SONNET_FIRST_TOKEN_MS: '450', LOCAL_SONNET_TOKEN_MS: '15' });
  const sockets: WebSocket[] = [];
  let answered = 0;
  let failed = 0;
  /** The gateway's error codes, counted: what the errors were, not only how many. */
  const errorCodes = new Map<string, number>();
  const samples: Sample[] = [];
  const started = Date.now();
  const sample = async () => {
    const text = await (await fetch(`${system.gatewayUrl}/metrics`)).text();
    const s: Sample = {
      at: (Date.now() - started) / 60_000,
      rssMb: metric(text, 'process_resident_memory_bytes') / 2 ** 20,
      heapMb: metric(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
      survivedMb: metric(text, 'nodejs_heap_after_full_gc_bytes') / 2 ** 20,
      handles: metricSum(text, 'nodejs_active_handles'),
      // prom-client's lag histogram restarts at each scrape: this is the interval's own p99.
      loopP99Ms: metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
      answered,
      failed,
    };
    samples.push(s);
    console.log(`| ${s.at.toFixed(1)} | ${s.rssMb.toFixed(0)} | ${s.heapMb.toFixed(0)} | ${s.survivedMb.toFixed(0)} | ${s.handles} | ${s.loopP99Ms.toFixed(1)} | ${s.answered} | ${s.failed} |`);
  };
  let failedTargets = false;
  try {
    // The gateway on its own (catalog, vector index, code), so the cost of the sockets shows apart.
    // Read like the idle sockets below: the lowest of six readings 5 s apart, once loading's garbage is collected.
    let bare = Infinity;
    for (let reading = 0; reading < 6; reading++) {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      bare = Math.min(bare, metric(await (await fetch(`${system.gatewayUrl}/metrics`)).text(), 'process_resident_memory_bytes') / 2 ** 20);
    }
    console.log(`RSS before any WebSocket: ${bare.toFixed(0)} MB (lowest of six readings over 30 s)`);
    for (let i = 0; i < config.SOAK_SOCKETS; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, config.SOAK_SOCKETS - i) }, () =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(system.wsUrl, { perMessageDeflate: false });
            ws.on('message', (data) => {
              const frame = JSON.parse(String(data)) as { type: string; code?: string };
              if (frame.type === 'done') answered++;
              else if (frame.type === 'error') {
                failed++;
                errorCodes.set(frame.code ?? 'unknown', (errorCodes.get(frame.code ?? 'unknown') ?? 0) + 1);
              }
            });
            ws.once('open', () => resolve());
            ws.once('error', reject);
            sockets.push(ws);
          }),
        ),
      );
    }
    console.log(`${sockets.length} WebSockets open; then ${config.SOAK_RATE} questions/s for ${config.SOAK_MINUTES} min\n`);
    console.log('| minute | RSS MB | heap used MB | heap after the last full GC MB | handles | event-loop delay p99 ms | answered | errors |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
    // Idle, with every socket open: the RSS target's moment. Opening 10,000 sockets leaves garbage
    // that the next full collection takes (V8 runs one within seconds once allocation stops): six
    // readings 5 s apart, judged on the lowest, the sockets' own cost; the first is shown beside it.
    for (let reading = 0; reading < 6; reading++) {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      await sample();
    }
    const idleReadings = samples.splice(0);
    const idle = idleReadings.reduce((low, s) => (s.rssMb < low.rssMb ? s : low));
    samples.push(idle);

    const end = Date.now() + config.SOAK_MINUTES * 60_000;
    const sampler = setInterval(() => void sample(), config.SOAK_SAMPLE_SECONDS * 1000);
    // Sent at absolute times, so a slow turn of this loop does not lower the rate.
    const intervalMs = 1000 / config.SOAK_RATE;
    let next = Date.now();
    let id = 0;
    while (Date.now() < end) {
      next += intervalMs;
      const ws = pick(sockets);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ action: 'sendMessage', requestId: `s${id++}`, text: question() }));
      const wait = next - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    clearInterval(sampler);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await sample();

    // Growth is judged from the end of the warm-up (the first third of the run) to the end. The heap
    // used saws up and down between collections, so the heap is read as what survived the last full
    // collection, and RSS as it is; each side is the lowest reading over a quarter of the judged
    // span, its first quarter against its last, so one sample's place in a cycle does not decide.
    const running = samples.slice(1);
    const warm = running.find((s) => s.at >= config.SOAK_MINUTES / 3) ?? running[0]!;
    const judged = running.filter((s) => s.at >= warm.at);
    const quarter = Math.max(1, Math.floor(judged.length / 4));
    const early = judged.slice(0, quarter);
    const late = judged.slice(-quarter);
    const floor = (span: Sample[], key: 'rssMb' | 'survivedMb') => Math.min(...span.map((s) => s[key]));
    const growth = (a: number, b: number) => ((b - a) / a) * 100;
    const span = `minutes ${early[0]!.at.toFixed(1)}–${early.at(-1)!.at.toFixed(1)} against ${late[0]!.at.toFixed(1)}–${late.at(-1)!.at.toFixed(1)}`;
    const grew = (key: 'rssMb' | 'survivedMb') => growth(floor(early, key), floor(late, key));
    const last = samples.at(-1)!;
    const checks: [string, boolean][] = [
      [`RSS with ${sockets.length} idle WebSockets: ${idle.rssMb.toFixed(0)} MB (lowest of six readings over 30 s; the first, 5 s after the last socket opened: ${idleReadings[0]!.rssMb.toFixed(0)} MB), ${idle.rssMb > bare ? `${(((idle.rssMb - bare) * 1024) / sockets.length).toFixed(1)} KB a socket over the ${bare.toFixed(0)} MB before` : `below the ${bare.toFixed(0)} MB before, which still held the garbage of loading the index (collected by the first full GC after the sockets opened)`} (target ≤ 300 MB)`, idle.rssMb <= 300],
      [`RSS, lowest of ${span}: ${floor(early, 'rssMb').toFixed(0)} → ${floor(late, 'rssMb').toFixed(0)} MB, ${grew('rssMb').toFixed(1)} % (target ≤ 5 %)`, grew('rssMb') <= 5],
      [`heap after a full GC, lowest of ${span}: ${floor(early, 'survivedMb').toFixed(0)} → ${floor(late, 'survivedMb').toFixed(0)} MB, ${grew('survivedMb').toFixed(1)} % (target ≤ 5 %)`, grew('survivedMb') <= 5],
      [`active handles from minute ${warm.at.toFixed(1)} to the end: ${warm.handles} → ${last.handles} (target: no growth)`, last.handles <= warm.handles],
      [`answers: ${last.answered}, errors: ${last.failed}${errorCodes.size ? ` (${[...errorCodes].map(([code, n]) => `${code} ${n}`).join(', ')})` : ''}`, last.failed === 0],
    ];
    console.log('');
    for (const [line, ok] of checks) console.log(`${ok ? 'met ' : 'MISSED'}  ${line}`);
    failedTargets = checks.some(([, ok]) => !ok);
  } finally {
    for (const ws of sockets) ws.terminate();
    await system.stop();
  }
  if (failedTargets) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
