// The gateway's own cost on the chat path, measured side by side in one run:
//   1. the local model provider called directly, in process (the baseline),
//   2. the same questions through the gateway over 50 concurrent WebSockets (cache misses),
//   3. cache hits over the same sockets.
// "Added" latency is (2) minus (1) per percentile. Run: npm run bench:chat
import { WebSocket } from 'ws';
import { Redis } from 'ioredis';
import { createResponseCache } from '@manga-assist/cache';
import { loadCatalog } from '@manga-assist/catalog';
import { cacheScopeFor, createClassifier, createProductSource } from '@manga-assist/chat';
import type { ClassifierPort, ProductSource } from '@manga-assist/chat';
import type { ServerFrame } from '@manga-assist/contracts';
import { assemblePrompt, createLocalModelProvider, routeModel } from '@manga-assist/fm';
import type { ModelRequest } from '@manga-assist/fm';
import { createHashedNgramEmbedder, createProductRetriever, loadOrBuildHnswIndex } from '@manga-assist/retrieval';
import type { Histogram } from 'hdr-histogram-js';
import { histogram, startBenchSystem, table } from './bench-support';

const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 50);
const PER_SOCKET = Number(process.env['BENCH_PER_SOCKET'] ?? 20);
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
  private waiters = new Map<string, (frame: ServerFrame) => void>();
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

async function main() {
  const total = CONCURRENCY * PER_SOCKET;
  const catalog = await loadCatalog();
  const embedder = createHashedNgramEmbedder({ dimensions: 384 });
  const system = await startBenchSystem({
    LOCAL_HAIKU_FIRST_TOKEN_MS: String(FIRST_TOKEN_MS),
    LOCAL_HAIKU_TOKEN_MS: String(TOKEN_MS),
    LOCAL_SONNET_FIRST_TOKEN_MS: String(FIRST_TOKEN_MS),
    LOCAL_SONNET_TOKEN_MS: String(TOKEN_MS),
  }, ['chat-gateway']); // the post-processor is off the critical path: it would only compete for the same 2 cores
  const index = await loadOrBuildHnswIndex({ catalog, embedder, dir: system.env['INDEX_DIR']!, log: { info: () => undefined, warn: () => undefined } });
  const retriever = createProductRetriever({ catalog, embedder, index });
  const classifier = createClassifier(retriever);
  try {
    const sockets = await Promise.all(Array.from({ length: CONCURRENCY }, () => Socket.open(system.wsUrl)));
    // Warm-up: one round through every socket, not recorded.
    await pool(CONCURRENCY, async (s) => void (await sockets[s]!.ask(`w${s}`, question(100_000 + s))));

    const baseline = histogram();
    await direct(total, baseline, classifier, createProductSource(retriever));

    const misses = histogram();
    const errors: string[] = [];
    const segments = new Map<string, Histogram>();
    const recordSegments = (frame: ServerFrame) => {
      if (frame.type !== 'done') return;
      for (const [name, value] of Object.entries(frame.timings)) {
        if (name === 'prompt-bytes' || name === 'prefetched') continue;
        if (!segments.has(name)) segments.set(name, histogram());
        segments.get(name)!.recordValue(Math.max(1, Math.round(value * 1000)));
      }
    };
    await pool(CONCURRENCY, async (s) => {
      for (let k = 0; k < PER_SOCKET; k++) {
        const i = s * PER_SOCKET + k;
        const t0 = performance.now();
        const frame = await sockets[s]!.ask(`m${i}`, question(i));
        misses.recordValue(Math.round((performance.now() - t0) * 1000));
        recordSegments(frame);
        if (frame.type !== 'done' || frame.cached) errors.push(JSON.stringify(frame).slice(0, 200));
      }
    });

    // Cache hits: the answer is stored the way the post-processor stores it, then asked for.
    const hot = 'trending manga';
    const redis = new Redis(system.env['REDIS_URL']!);
    const cache = createResponseCache({ redis, embed: embedder.embedSync, dimensions: embedder.dimensions, keyPrefix: `${system.env['KEY_PREFIX']}rc:` });
    await cache.write({ question: hot, answer: 'This week the best sellers are …', model: 'haiku', scope: cacheScopeFor(classifier.classify(hot), hot), ttlSeconds: 600 });
    redis.disconnect();
    const hits = histogram();
    await pool(CONCURRENCY, async (s) => {
      for (let k = 0; k < PER_SOCKET; k++) {
        const t0 = performance.now();
        const frame = await sockets[s]!.ask(`c${s}-${k}`, hot);
        hits.recordValue(Math.round((performance.now() - t0) * 1000));
        if (frame.type !== 'done' || !frame.cached) errors.push(JSON.stringify(frame).slice(0, 200));
      }
    });
    for (const socket of sockets) socket.ws.close();

    const added = (p: number) => ((misses.getValueAtPercentile(p) - baseline.getValueAtPercentile(p)) / 1000).toFixed(2);
    console.log(`\nchat path, ${CONCURRENCY} concurrent sockets × ${PER_SOCKET} questions; local model: first token ${FIRST_TOKEN_MS} ms, ${TOKEN_MS} ms/token\n`);
    console.log(
      table([
        ['model provider called directly (baseline)', baseline],
        ['through the gateway, cache miss', misses],
        ['through the gateway, cache hit', hits],
      ]),
    );
    console.log('\nwhere a miss spends its time inside the gateway (per segment, from the done frames):');
    console.log(table([...segments.entries()].map(([name, h]) => [`  ${name}`, h] as [string, Histogram])));
    console.log(`\ngateway added latency on a miss: p50 ${added(50)} ms, p95 ${added(95)} ms, p99 ${added(99)} ms (target p99 ≤ 3 ms)`);
    console.log(`cache hit round trip: p99 ${(hits.getValueAtPercentile(99) / 1000).toFixed(2)} ms (target ≤ 2 ms)`);
    console.log(`ratio gateway/direct at p50: ${(misses.getValueAtPercentile(50) / baseline.getValueAtPercentile(50)).toFixed(3)}`);
    if (errors.length) console.log(`\n${errors.length} unexpected answers, e.g. ${errors[0]}`);
  } finally {
    await system.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
