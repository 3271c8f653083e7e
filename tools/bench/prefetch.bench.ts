// How much of a realistic question mix the pre-computed answers take off the model, measured in one
// run: the same replay against a system without the scheduler, then against one with it.
// Mix (reference traffic): 22% trending, 15% new releases, 12% genre browsing, 8% title lookups of
// top titles, 43% unique questions. Run: npm run bench:prefetch
import { WebSocket } from 'ws';
import { loadCatalog } from '@manga-assist/catalog';
import type { AppName, ServerFrame } from '@manga-assist/contracts';
import type { Histogram } from 'hdr-histogram-js';
import { histogram, startBenchSystem, table } from './bench-support';

const TOTAL = Number(process.env['BENCH_QUESTIONS'] ?? 1000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 20);

// Users phrase the common questions many ways; some match a pre-computed phrasing exactly, others
// only closely (semantic hits), and some not at all.
const TRENDING = ['trending manga', 'popular manga', "what's popular", 'best selling manga', '人気のマンガ', '今週の人気マンガは？', '人気マンガ', '売れてるマンガ', '人気ランキング', 'what manga is popular right now', 'popular manga this week', '最近人気のマンガは？'];
const NEW_RELEASES = ['new releases', '新刊', '新刊情報', '今月の新刊', 'latest releases', 'new manga releases', 'any new releases?', '新刊ある？'];
const GENRES = ['show me shonen', 'show me seinen', 'show me shojo', 'shonen manga', 'seinen manga', '少年マンガ', '少女マンガ', '青年マンガ', '青年漫画', 'show me josei'];

function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function questionMix(): Promise<{ kind: string; text: string }[]> {
  const catalog = await loadCatalog();
  const top = [...catalog.items].sort((a, b) => b.synthetic.weeklySales - a.synthetic.weeklySales || (a.id < b.id ? -1 : 1)).slice(0, 100);
  const rnd = random(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const out: { kind: string; text: string }[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const r = rnd();
    if (r < 0.22) out.push({ kind: 'trending', text: pick(TRENDING) });
    else if (r < 0.37) out.push({ kind: 'new releases', text: pick(NEW_RELEASES) });
    else if (r < 0.49) out.push({ kind: 'genre', text: pick(GENRES) });
    else if (r < 0.57) {
      const item = pick(top);
      out.push({ kind: 'title lookup', text: pick([item.title, `${item.title} latest`, `${item.title} 最新刊`]) });
    } else {
      const item = pick(catalog.items);
      out.push({ kind: 'unique', text: `something like ${item.title} under ${500 + Math.floor(rnd() * 600)} yen, please (${i})` });
    }
  }
  return out;
}

async function replay(wsUrl: string, questions: { kind: string; text: string }[]) {
  const latency = { all: histogram(), hit: histogram(), miss: histogram() };
  const cachedByKind = new Map<string, [number, number]>();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, slot) => {
      const ws = new WebSocket(wsUrl);
      await new Promise((r) => ws.once('open', r));
      const waiters = new Map<string, (f: ServerFrame) => void>();
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as ServerFrame;
        if (frame.type === 'done' || frame.type === 'error') waiters.get(frame.requestId ?? '')?.(frame);
      });
      while (next < questions.length) {
        const i = next++;
        const q = questions[i]!;
        const t0 = performance.now();
        const frame = await new Promise<ServerFrame>((resolve) => {
          waiters.set(`q${slot}-${i}`, resolve);
          ws.send(JSON.stringify({ action: 'sendMessage', requestId: `q${slot}-${i}`, text: q.text }));
        });
        const us = Math.round((performance.now() - t0) * 1000);
        const cached = frame.type === 'done' && frame.cached;
        latency.all.recordValue(us);
        (cached ? latency.hit : latency.miss).recordValue(us);
        const [hits, total] = cachedByKind.get(q.kind) ?? [0, 0];
        cachedByKind.set(q.kind, [hits + (cached ? 1 : 0), total + 1]);
      }
      ws.close();
    }),
  );
  return { latency, cachedByKind };
}

async function phase(name: string, apps: AppName[], questions: { kind: string; text: string }[]) {
  const system = await startBenchSystem({ LOCAL_HAIKU_FIRST_TOKEN_MS: '180', LOCAL_HAIKU_TOKEN_MS: '8' }, apps);
  try {
    return { name, ...(await replay(system.wsUrl, questions)) };
  } finally {
    await system.stop();
  }
}

async function main() {
  const questions = await questionMix();
  const without = await phase('without the scheduler', ['chat-gateway', 'post-processor'], questions);
  const withScheduler = await phase('with the scheduler', ['prefetch-scheduler', 'chat-gateway', 'post-processor'], questions);

  console.log(`\n${TOTAL} questions, ${CONCURRENCY} concurrent sockets, local model (Haiku-like: 180 ms first token, 8 ms/token)\n`);
  for (const run of [without, withScheduler]) {
    const [hits, total] = [...run.cachedByKind.values()].reduce(([h, t], [a, b]) => [h + a, t + b], [0, 0]);
    console.log(`${run.name}: ${((100 * hits) / total).toFixed(1)}% answered from the cache`);
    console.log(
      '  ' +
        [...run.cachedByKind.entries()].map(([kind, [h, t]]) => `${kind} ${((100 * h) / t).toFixed(0)}%`).join(', '),
    );
  }
  console.log();
  const rows: [string, Histogram][] = [];
  for (const run of [without, withScheduler]) {
    rows.push([`${run.name}: all`, run.latency.all], [`  cache hits`, run.latency.hit], [`  model answers`, run.latency.miss]);
  }
  console.log(table(rows));
  console.log(`\np50 ratio with/without: ${(withScheduler.latency.all.getValueAtPercentile(50) / without.latency.all.getValueAtPercentile(50)).toFixed(3)} (target: ≥ 55% from the cache with the scheduler)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
