// Memory of the embedded vector index loaded the way the chat gateway loads it, then the cost of
// exact scoring of a large candidate set: the index's own exact scan beside a Float32 brute force
// over the same vectors.
//   npx tsx --expose-gc --tsconfig tools/tsconfig.json libs/retrieval/bench/index-memory.bench.ts [--dir DIR] [--rounds N]
// The index is persisted in DIR (default: <os tmpdir>/manga-assist-retrieval-bench); when this run
// had to build it, run again to measure a load.

import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { loadCatalog } from '@manga-assist/catalog';

import { DEFAULT_EXACT_SCAN_LIMIT, ExactVectorIndex, createProductRetriever, createQuestionEmbedder, itemEmbeddingText, loadOrBuildHnswIndex } from '../src';
import type { RetrievalLogger } from '../src';
import { dot } from '../src/vector-math';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string', default: path.join(tmpdir(), 'manga-assist-retrieval-bench') },
    rounds: { type: 'string', default: '3' },
  },
});
const rounds = Number(args.rounds);

const log: RetrievalLogger = {
  info: (obj, msg) => console.log(`  ${msg ?? ''} ${JSON.stringify(obj)}`),
  warn: (obj, msg) => console.log(`  WARN ${msg ?? ''} ${JSON.stringify(obj)}`),
};

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function memory(label: string): void {
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  console.log(`${label.padEnd(24)} rss ${mb(rss).padStart(9)}  heapUsed ${mb(heapUsed).padStart(9)}  external ${mb(external).padStart(9)}  arrayBuffers ${mb(arrayBuffers).padStart(9)}`);
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
}

async function main(): Promise<void> {
  collect();
  memory('start');
  // As loadRetrieval does for the gateway: catalog, question embedder, persisted HNSW, retriever.
  const catalog = await loadCatalog();
  const embedder = createQuestionEmbedder();
  const index = await loadOrBuildHnswIndex({ catalog, embedder, dir: args.dir, log });
  const retriever = createProductRetriever({ catalog, embedder, index });
  if (index.origin.source === 'built') {
    console.log('the index was built in this run; run again to measure a loaded index');
    return;
  }
  memory('after load');
  collect();
  memory('after load + gc');
  // What the exact rows hold on to: their own storage, or (a view into) a larger buffer.
  const exact = index.exact as unknown as { byteLength?: number; matrix?: Float32Array };
  const held = exact.matrix ? exact.matrix.buffer.byteLength : (exact.byteLength ?? 0);
  console.log(`exact rows keep ${mb(held)} alive for ${index.size} × ${index.exact.dimensions} vectors\n`);

  // Exact scoring of candidate sets from a handful of works up to the exact-scan limit, k = 5 and
  // 50, against a float brute force over the same vectors (built only now, after the memory readings).
  const float = ExactVectorIndex.fromVectors(
    catalog.items.map((item) => item.id),
    catalog.items.map((item) => embedder.embedSync(itemEmbeddingText(item))),
    embedder.dimensions,
  );
  const queries = [
    '進撃の巨人の新刊はいつ出ますか？',
    '1000円以下の少年漫画でおすすめはありますか',
    'Can you recommend something like Naruto or Bleach?',
    '恋愛 学園',
    ...catalog.items.filter((_, i) => i % 293 === 0).map((item) => item.title),
  ].map((q) => embedder.embedSync(q));

  // Both searches take turns on each query, so a busy machine slows both alike; median ms per query.
  const time = (k: number, candidates: readonly string[]): [number, number] => {
    const samples: [number[], number[]] = [[], []];
    const searches = [(v: Float32Array) => index.exact.searchSync(v, { k, candidates }), (v: Float32Array) => float.searchSync(v, { k, candidates })];
    for (const v of queries.slice(0, 10)) searches.forEach((search) => search(v));
    for (let r = 0; r < rounds; r++) {
      for (const v of queries) {
        searches.forEach((search, i) => {
          const started = performance.now();
          search(v);
          samples[i].push(performance.now() - started);
        });
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    return [median(samples[0]), median(samples[1])];
  };
  console.log(`exact scoring, ${queries.length} queries × ${rounds} rounds, median per query:`);
  for (const size of [8, 700, DEFAULT_EXACT_SCAN_LIMIT]) {
    for (const k of [5, 50]) {
      const step = Math.floor(catalog.items.length / size);
      const candidates = catalog.items.filter((_, i) => i % step === 1).slice(0, size).map((item) => item.id);
      const [index_, float_] = time(k, candidates);
      // Ranks where the two disagree on the id: a tie in the float vectors (the other id scores the
      // same there, within 1e-6) or a real miss.
      let ranks = 0;
      let swappedTies = 0;
      let misses = 0;
      let maxScoreDiff = 0;
      for (const v of queries) {
        const a = index.exact.searchSync(v, { k, candidates });
        const b = float.searchSync(v, { k, candidates });
        b.forEach((expected, i) => {
          ranks += 1;
          maxScoreDiff = Math.max(maxScoreDiff, Math.abs((a[i]?.score ?? -Infinity) - expected.score));
          if (a[i]?.id === expected.id) return;
          const floatScore = dot(v, float.vectorOf(a[i].id) ?? []);
          if (Math.abs(floatScore - expected.score) <= 1e-6) swappedTies += 1;
          else misses += 1;
        });
      }
      console.log(
        `  ${String(candidates.length).padStart(4)} candidates, k=${String(k).padEnd(3)} index.exact ${index_.toFixed(3)} ms   float brute force ${float_.toFixed(3)} ms   ` +
          `${ranks} ranks: ${misses} misses, ${swappedTies} tied ids swapped, max score difference ${maxScoreDiff.toExponential(1)}`,
      );
    }
  }
  void retriever;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
