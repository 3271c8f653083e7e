// The order of the pipeline's steps around the response cache: a question that reaches Redis has
// its retrieval started beside the lookup; a held answer starts nothing; a semantic hit does not
// wait for (nor report) the retrieval it made unnecessary. The ports are in-memory stand-ins whose
// answers the test releases by hand, so the order is observed, not timed.
import type { CacheHit, ResponseCache } from '@manga-assist/cache';
import type { Classification, DoneFrame, ErrorCode, ProductSummary } from '@manga-assist/contracts';
import type { JobProducer } from '@manga-assist/queue';
import { Registry } from '@manga-assist/telemetry';
import { createChatPipeline } from './chat-pipeline';
import type { ChatContext, ChatSink } from './chat-pipeline';
import type { ProductSource } from './ports';

const classification: Classification = { intent: 'recommendation', complexity: 'simple', risk: 'low', filters: {}, titleIds: [] };
const cachedAnswer: CacheHit = { kind: 'semantic', answer: 'Read Frieren.', model: 'haiku', similarity: 0.93, question: 'a fantasy manga?', createdAt: '2026-11-24T00:00:00Z' };

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
const settle = () => new Promise((r) => setImmediate(r));

function harness({ held = null as CacheHit | null } = {}) {
  const lookup = deferred<CacheHit | null>();
  const search = deferred<ProductSummary[]>();
  const calls: string[] = [];
  const cache: ResponseCache = {
    held: () => held,
    lookup: () => (calls.push('lookup'), lookup.promise),
    write: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
  };
  const products: ProductSource = {
    search: () => (calls.push('search'), search.promise),
    byIds: () => [],
    list: async () => [],
  };
  const jobs: string[] = [];
  const producer: JobProducer = { enqueue: (name) => void jobs.push(name), pending: () => 0, flush: async () => true, close: async () => undefined };
  const pipeline = createChatPipeline({
    classifier: { classify: () => classification },
    cache,
    products,
    sessions: { load: async () => null },
    model: {
      stream: () => ({
        promptBytes: 10,
        tokens: (async function* () {
          yield 'Try ';
          yield 'Dandadan.';
        })(),
      }),
    },
    route: () => 'haiku',
    producer,
    sequence: { next: async () => 1 },
    registry: new Registry(),
    log: { warn: () => undefined, error: () => undefined },
  });
  const frames: { tokens: string[]; done?: DoneFrame; error?: ErrorCode } = { tokens: [] };
  const sink: ChatSink = {
    token: (text) => void frames.tokens.push(text),
    done: (frame) => void (frames.done = frame),
    error: (code) => void (frames.error = code),
  };
  const context: ChatContext = { sessionId: 's-1', connectionId: 'c-1' };
  let finished = false;
  const ask = () => pipeline.handle({ requestId: 'r-1', text: 'recommend a fantasy manga', validateMs: 0.01 }, context, sink).then(() => void (finished = true));
  return { lookup, search, calls, frames, jobs, ask, finished: () => finished };
}

describe('chat pipeline: retrieval beside the cache lookup', () => {
  it('starts the product search while the Redis lookup is still out, and answers the miss once both are back', async () => {
    const h = harness();
    const answered = h.ask();
    await settle();
    expect(h.calls).toEqual(['lookup', 'search']);

    h.lookup.resolve(null);
    await settle();
    expect(h.finished()).toBe(false); // the answer needs the products

    h.search.resolve([]);
    await answered;
    expect(h.frames.tokens.join('')).toBe('Try Dandadan.');
    expect(h.frames.done).toMatchObject({ cached: false, model: 'haiku' });
    expect(h.frames.done?.degraded).toBeUndefined();
  });

  it('starts no retrieval for an answer held in memory', async () => {
    const h = harness({ held: { ...cachedAnswer, kind: 'exact' } });
    await h.ask();
    expect(h.calls).toEqual([]);
    expect(h.frames.done).toMatchObject({ cached: true, model: 'cache' });
  });

  it('answers a semantic hit without waiting for the search, and does not report the search failing', async () => {
    const h = harness();
    const answered = h.ask();
    await settle();
    h.lookup.resolve(cachedAnswer);
    await answered; // the search is still out
    expect(h.frames.tokens).toEqual(['Read Frieren.']);
    expect(h.frames.done).toMatchObject({ cached: true, model: 'cache' });

    h.search.reject(new Error('search is down'));
    await settle();
    expect(h.frames.done?.degraded).toBeUndefined();
    expect(h.frames.error).toBeUndefined();
  });
});
