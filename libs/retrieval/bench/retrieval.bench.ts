// Latency of each retrieval step over the full catalog, HNSW beside brute force (`index.exact`: an
// int8 scan whose shortlist is re-scored in float, so its hits are the exact top k).
//   npx tsx --tsconfig tools/tsconfig.json libs/retrieval/bench/retrieval.bench.ts [--dir DIR] [--rounds N]
// The index is persisted in DIR (default: <os tmpdir>/manga-assist-retrieval-bench), so only the
// first run pays for the build.

import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { loadCatalog } from '@manga-assist/catalog';
import type { ProductFilters } from '@manga-assist/contracts';

import { createHashedNgramEmbedder, createProductRetriever, loadOrBuildHnswIndex, matchesFilters } from '../src';
import type { RetrievalLogger } from '../src';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: path.join(tmpdir(), 'manga-assist-retrieval-bench') },
    rounds: { type: 'string', default: '2' },
  },
});
const rounds = Number(args.rounds);

const log: RetrievalLogger = {
  info: (obj, msg) => console.log(`  ${msg ?? ''} ${JSON.stringify(obj)}`),
  warn: (obj, msg) => console.log(`  WARN ${msg ?? ''} ${JSON.stringify(obj)}`),
};

const MESSAGES = [
  '進撃の巨人の新刊はいつ出ますか？',
  'ONE PIECEと進撃の巨人ならどっちがおすすめ？',
  '1000円以下の少年漫画でおすすめはありますか',
  '在庫ありの少女マンガで800円以下のものを教えて',
  'しんげきのきょじんみたいな作品を探しています',
  'ドラゴンボールの続きが読みたいです',
  'Can you recommend something like Naruto or Bleach?',
  'What are the best selling manga this week?',
  '最新刊の発売日を知りたいのですが、どこで確認できますか',
  'スラムダンクとSLAM DUNKは同じ作品ですか？',
];

interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** Times `run` once per input, `rounds` times over, after a short warm-up; microseconds. */
async function measure<T>(inputs: readonly T[], run: (input: T) => unknown): Promise<Stats> {
  for (const input of inputs.slice(0, 50)) await run(input);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const input of inputs) {
      const started = performance.now();
      await run(input);
      samples.push((performance.now() - started) * 1000);
    }
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { n: samples.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

const fmt = (us: number): string => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);

function row(name: string, s: Stats, baseline?: Stats): void {
  const cells = [name.padEnd(44), String(s.n).padStart(6), fmt(s.p50).padStart(10), fmt(s.p95).padStart(10), fmt(s.p99).padStart(10)];
  if (baseline) cells.push(`  brute force ${fmt(baseline.p50)} p50 → ${(baseline.p50 / s.p50).toFixed(0)}× faster`);
  console.log(cells.join(' '));
}

async function main(): Promise<void> {
  let started = performance.now();
  const catalog = await loadCatalog();
  const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);
  console.log(`catalog: ${catalog.items.length} works loaded in ${Math.round(performance.now() - started)} ms (rss ${rssMb()} MB)`);

  const embedder = createHashedNgramEmbedder();
  console.log(`index dir: ${args.dir}`);
  const first = await loadOrBuildHnswIndex({ catalog, embedder, dir: args.dir, log });
  const index = await loadOrBuildHnswIndex({ catalog, embedder, dir: args.dir, log });
  if (first.origin.source === 'built') console.log(`index build: ${Math.round(first.origin.ms)} ms`);
  console.log(`index load: ${Math.round(index.origin.ms)} ms (${index.origin.source})`);

  started = performance.now();
  const retriever = createProductRetriever({ catalog, embedder, index });
  console.log(`retriever (title keys, rankings): ${Math.round(performance.now() - started)} ms`);
  console.log(`rss with index and retriever: ${rssMb()} MB\n`);

  // Queries a customer could type: titles, readings and creators of every 149th work, plus chat messages.
  const sample = catalog.items.filter((_, i) => i % 149 === 0);
  const queries = [
    ...MESSAGES,
    ...sample.map((item) => item.title),
    ...sample.flatMap((item) => (item.titleReading ? [item.titleReading] : [])),
    ...sample.flatMap((item) => (item.creator ? [item.creator] : [])),
  ];
  const vectors = queries.map((q) => embedder.embedSync(q));
  const avgChars = MESSAGES.reduce((sum, m) => sum + m.length, 0) / MESSAGES.length;

  console.log(`${'operation'.padEnd(44)} ${'n'.padStart(6)} ${'p50'.padStart(10)} ${'p95'.padStart(10)} ${'p99'.padStart(10)}`);
  row('embedSync (query)', await measure(queries, (q) => embedder.embedSync(q)));
  const manyMessages = Array.from({ length: 100 }, () => MESSAGES).flat();
  row(`lookupTitles (message, ~${Math.round(avgChars)} chars)`, await measure(manyMessages, (m) => retriever.lookupTitles(m)));

  const exactAll = await measure(vectors, (v) => index.exact.searchSync(v, { k: 5 }));
  row('index.search k=5, no filter', await measure(vectors, (v) => index.searchSync(v, { k: 5 })), exactAll);

  const filterSets: [string, ProductFilters][] = [
    ['in stock', { inStock: true }],
    ['in stock, ≤ 800 yen', { inStock: true, maxPriceJpy: 800 }],
    ['upcoming volume', { upcomingRelease: true }],
    ['in stock, ≤ 470 yen (small set)', { inStock: true, maxPriceJpy: 470 }],
    ['shonen (8 works)', { demographic: 'shonen' }],
  ];
  for (const [label, filters] of filterSets) {
    const admitted = catalog.items.filter((item) => matchesFilters(item, filters));
    const admittedIds = new Set(admitted.map((item) => item.id));
    const filter = (id: string) => admittedIds.has(id);
    const candidates = admitted.length <= index.exactScanLimit ? admitted.map((item) => item.id) : undefined;
    const exact = await measure(vectors, (v) => index.exact.searchSync(v, { k: 5, filter }));
    row(
      `index.search k=5, ${label} [${admitted.length}]`,
      await measure(vectors, (v) => index.searchSync(v, { k: 5, filter, candidates, admittedCount: admitted.length })),
      exact,
    );
  }
  row('retriever.search k=5 (embed+filter+map)', await measure(queries, (q) => retriever.search(q, { inStock: true, maxPriceJpy: 800 })));
  row('retriever.search k=5, no filter', await measure(queries, (q) => retriever.search(q, {})));

  let found = 0;
  for (const v of vectors) {
    const approximate = new Set(index.searchSync(v, { k: 5 }).map((h) => h.id));
    for (const hit of index.exact.searchSync(v, { k: 5 })) if (approximate.has(hit.id)) found += 1;
  }
  console.log(`\nrecall@5 of HNSW (ef=${index.efSearch}) against exact search: ${(found / (vectors.length * 5)).toFixed(3)} over ${vectors.length} queries`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
