// The chat pipeline's steps against in-memory fakes of its ports: no Redis, DynamoDB or model server.
import type { CacheHit, ResponseCache } from '@manga-assist/cache';
import type { AnsweredBatchJob, AnsweredJob, DoneFrame, ErrorCode, ModelProfile, ProductSummary } from '@manga-assist/contracts';
import { ModelStreamError } from '@manga-assist/fm';
import type { ModelGateway, ModelStreamRequest } from '@manga-assist/fm';
import { createClassifier } from '@manga-assist/intent';
import type { JobProducer } from '@manga-assist/queue';
import { createDownstreamPolicies } from '@manga-assist/resilience';
import type { ProductSource } from '@manga-assist/retrieval';
import { createMetricsRegistry } from '@manga-assist/telemetry';
import { createChatPipeline } from './chat-pipeline';
import type { ChatContext, ChatPipeline, ChatPipelineDeps, ChatRequest } from './chat-pipeline';
import type { SessionView } from './ports';

const product = (id: string, demographic: ProductSummary['demographic'], priceJpy: number): ProductSummary => ({
  id,
  title: `Title ${id}`,
  creator: 'Author',
  priceJpy,
  inStock: true,
  demographic,
  nextVolumeDate: null,
});
const CATALOG = [product('A', 'shonen', 500), product('B', 'seinen', 1200), product('C', 'shojo', 800), product('D', 'shonen', 2000), product('E', 'josei', 700)];
const TRENDING = [product('T1', 'shonen', 480), product('T2', 'seinen', 650)];

type Script = { tokens: string[]; failBeforeFirst?: ModelStreamError['code']; failAfter?: number };

function fakes(options: { scripts?: Partial<Record<ModelProfile, Script>>; route?: ModelProfile; searchFails?: boolean; searchBusyMs?: number; sessionFails?: boolean; cacheFails?: boolean; held?: CacheHit } = {}) {
  const modelCalls: ModelStreamRequest[] = [];
  const model: ModelGateway = {
    stream(request) {
      modelCalls.push(request);
      const script = options.scripts?.[request.profile] ?? { tokens: ['答え', 'です。'] };
      let usage: { inputTokens: number; outputTokens: number } | undefined;
      async function* tokens() {
        if (script.failBeforeFirst) throw new ModelStreamError({ code: script.failBeforeFirst, message: 'scripted', provider: 'local', profile: request.profile, tokensSent: 0 });
        for (let i = 0; i < script.tokens.length; i++) {
          if (i === script.failAfter) throw new ModelStreamError({ code: 'interrupted', message: 'connection reset', provider: 'local', profile: request.profile, tokensSent: i });
          yield script.tokens[i]!;
        }
        // What a model reports at the end of a whole answer.
        usage = { inputTokens: 100, outputTokens: script.tokens.length };
      }
      return { promptBytes: 100, tokens: tokens(), usage: () => usage };
    },
  };
  const cacheCalls = { held: 0, lookup: 0 };
  const cache: ResponseCache = {
    held: () => (cacheCalls.held++, options.held ?? null),
    lookup: async () => {
      cacheCalls.lookup++;
      if (options.cacheFails) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return null;
    },
    write: async () => 'written',
    holdLocally: () => false,
    close: async () => undefined,
  };
  const products: ProductSource = {
    search: async (_q, filters, k) => {
      if (options.searchFails) throw new Error('search timed out');
      // An in-process index searches on this thread: CPU time, not waiting.
      const until = performance.now() + (options.searchBusyMs ?? 0);
      while (performance.now() < until);
      return CATALOG.filter((p) => !filters.demographic || p.demographic === filters.demographic).slice(0, k);
    },
    byIds: (ids) => CATALOG.filter((p) => ids.includes(p.id)),
    list: async (_kind, _f, k) => {
      if (options.searchFails) throw new Error('search timed out');
      const until = performance.now() + (options.searchBusyMs ?? 0);
      while (performance.now() < until);
      return CATALOG.slice(0, k);
    },
  };
  const jobs: AnsweredJob[] = [];
  const producer: JobProducer = {
    enqueue: (name, data) => {
      if (name === 'answered-batch') jobs.push(...(data as AnsweredBatchJob).answers);
    },
    pending: () => 0,
    flush: async () => true,
    close: async () => undefined,
  };
  const stored: SessionView = { sessionId: 's-1', lastSeq: 2, turns: [{ seq: 2, requestId: 'r0', user: '前の質問', assistant: '前の答え', intent: 'chit_chat', at: '2026-12-01T00:00:00.000Z' }], summary: '' };
  const policies = createDownstreamPolicies();
  const deps: ChatPipelineDeps = {
    classifier: createClassifier({ lookupTitles: () => [] }),
    cache,
    products,
    sessions: {
      load: async () => {
        if (options.sessionFails) throw new Error('DynamoDB unreachable');
        return stored;
      },
    },
    model,
    route: () => options.route ?? 'haiku',
    producer,
    sequence: { next: async (_id, known) => known + 1 },
    registry: createMetricsRegistry('chat-gateway', { defaultMetrics: false }),
    log: { warn: () => undefined, error: () => undefined },
    policies,
    answerBatchMs: 0,
  };
  return { deps, modelCalls, cacheCalls, jobs, policies };
}

const pipelines = new WeakMap<ChatPipelineDeps, ChatPipeline>();

async function ask(deps: ChatPipelineDeps, text: string, context: Partial<ChatContext> = {}, request: Partial<ChatRequest> = {}) {
  // One pipeline per set of deps (its metrics register once per registry).
  const pipeline = pipelines.get(deps) ?? createChatPipeline(deps);
  pipelines.set(deps, pipeline);
  const tokens: string[] = [];
  let done: DoneFrame | undefined;
  let error: { code: ErrorCode; message: string } | undefined;
  const ctx: ChatContext = { sessionId: 's-1', connectionId: 'c-1', ...context };
  await pipeline.handle({ requestId: 'r1', text, validateMs: 0.1, ...request }, ctx, {
    token: (t) => tokens.push(t),
    done: (frame) => (done = frame),
    error: (code, message) => (error = { code, message }),
  });
  // The hand-off leaves once the turn is numbered (a promise) and the batch window closes.
  await new Promise((resolve) => setTimeout(resolve, 5));
  return { tokens, done, error, context: ctx };
}

describe('chat pipeline', () => {
  const teardown: (() => void)[] = [];
  afterEach(() => teardown.splice(0).forEach((dispose) => dispose()));
  const setup = (options: Parameters<typeof fakes>[0] = {}) => {
    const f = fakes(options);
    teardown.push(() => f.policies.dispose());
    return f;
  };

  it('answers a cache hit from the cache: no model call, done says cached', async () => {
    const { deps, modelCalls, jobs } = setup({ held: { kind: 'exact', precomputed: false, answer: '今週の人気は『A』です。', model: 'haiku', similarity: 1, question: '人気のマンガ', createdAt: '2026-12-01T00:00:00.000Z' } });
    const { tokens, done } = await ask(deps, '人気のマンガ');
    expect(tokens).toEqual(['今週の人気は『A』です。']);
    expect(done).toMatchObject({ cached: true, model: 'cache', intent: 'trending' });
    expect(modelCalls).toHaveLength(0);
    // The turn is still recorded, but a cached answer is not written to the cache again.
    expect(jobs).toEqual([expect.objectContaining({ model: 'cache', answer: '今週の人気は『A』です。', cacheTtlSeconds: 0 })]);
  });

  it('answers a miss from the model with the products and history, and hands the answer over for caching', async () => {
    const { deps, modelCalls, cacheCalls, jobs } = setup();
    const { tokens, done } = await ask(deps, '人気のマンガ');
    expect(cacheCalls.lookup).toBe(1);
    expect(tokens).toEqual(['答え', 'です。']);
    expect(done).toMatchObject({ cached: false, model: 'haiku', intent: 'trending' });
    expect(done?.degraded).toBeUndefined();
    expect(modelCalls[0]!.products.map((p) => p.id)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(modelCalls[0]!.history.map((t) => t.user)).toEqual(['前の質問']);
    expect(jobs).toEqual([expect.objectContaining({ answer: '答えです。', model: 'haiku', cacheTtlSeconds: 900, turn: expect.objectContaining({ seq: 3, user: '人気のマンガ' }) })]);
  });

  it('answers nothing, asks no model and hands nothing over for a request its transport did not admit, while the cache lookup still went ahead', async () => {
    const { deps, modelCalls, cacheCalls, jobs } = setup();
    let admit!: (allowed: boolean) => void;
    const asked = ask(deps, '人気のマンガ', {}, { admitted: new Promise<boolean>((resolve) => (admit = resolve)) });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The lookup ran while the check was still out.
    expect(cacheCalls.lookup).toBe(1);
    admit(false);
    const { tokens, done, error } = await asked;
    expect({ tokens, done, error }).toEqual({ tokens: [], done: undefined, error: undefined });
    expect(modelCalls).toHaveLength(0);
    expect(jobs).toHaveLength(0);

    // Admitted, the same question is answered as usual.
    const admitted = await ask(deps, '人気のマンガ', {}, { admitted: Promise.resolve(true) });
    expect(admitted.done).toMatchObject({ model: 'haiku' });
  });

  it('times a session it already holds (a new one) as no session load, and the search’s own work as the search', async () => {
    const { deps } = setup({ searchBusyMs: 30 });
    const { done } = await ask(deps, '人気のマンガ', { session: null });
    expect(done!.timings['session-load']).toBe(0);
    expect(done!.timings['vector-search']).toBeGreaterThanOrEqual(25);
  });

  it('answers with Haiku when Sonnet fails before its first token, and says so', async () => {
    const { deps, modelCalls } = setup({ route: 'sonnet', scripts: { sonnet: { tokens: [], failBeforeFirst: 'throttled' }, haiku: { tokens: ['ハイクの', '答え'] } } });
    const { tokens, done, error } = await ask(deps, 'compare the two series in depth');
    expect(error).toBeUndefined();
    expect(modelCalls.map((c) => c.profile)).toEqual(['sonnet', 'haiku']);
    expect(tokens).toEqual(['ハイクの', '答え']);
    expect(done).toMatchObject({ model: 'haiku', degraded: ['sonnet-unavailable'] });
  });

  it('puts the token counts the model reported into done, and none for a cached answer', async () => {
    const miss = await ask(setup().deps, '人気のマンガ');
    expect(miss.done?.usage).toEqual({ inputTokens: 100, outputTokens: 2 });
    const held = { kind: 'exact', precomputed: false, answer: '今週の人気は『A』です。', model: 'haiku', similarity: 1, question: '人気のマンガ', createdAt: '2026-12-01T00:00:00.000Z' } as const;
    const hit = await ask(setup({ held }).deps, '人気のマンガ');
    expect(hit.done).toMatchObject({ cached: true });
    expect(hit.done?.usage).toBeUndefined();
    // Likewise the products: a fresh answer names what it was grounded on, a cached one cannot.
    expect(miss.done?.products?.length).toBeGreaterThan(0);
    expect(hit.done).not.toHaveProperty('products');
  });

  it('answers with the profile a request names instead of the router’s, still falling back from Sonnet', async () => {
    const forcedSonnet = setup({ route: 'haiku' });
    expect((await ask(forcedSonnet.deps, '人気のマンガ', {}, { profile: 'sonnet' })).done).toMatchObject({ model: 'sonnet' });
    expect(forcedSonnet.modelCalls.map((c) => c.profile)).toEqual(['sonnet']);
    const forcedHaiku = setup({ route: 'sonnet' });
    expect((await ask(forcedHaiku.deps, 'compare the two series in depth', {}, { profile: 'haiku' })).done).toMatchObject({ model: 'haiku' });
    expect(forcedHaiku.modelCalls.map((c) => c.profile)).toEqual(['haiku']);
    const failing = setup({ route: 'haiku', scripts: { sonnet: { tokens: [], failBeforeFirst: 'unavailable' } } });
    const { done } = await ask(failing.deps, '人気のマンガ', {}, { profile: 'sonnet' });
    expect(done).toMatchObject({ model: 'haiku', degraded: ['sonnet-unavailable'] });
    expect(failing.modelCalls.map((c) => c.profile)).toEqual(['sonnet', 'haiku']);
  });

  it('answers from popular titles when the product search fails', async () => {
    const { deps, modelCalls } = setup({ searchFails: true });
    const { done } = await ask(deps, 'recommend a manga about cooking', { trending: TRENDING });
    expect(done).toMatchObject({ model: 'haiku', degraded: ['search-fallback'] });
    expect(modelCalls[0]!.products.map((p) => p.id)).toEqual(['T1', 'T2']);
  });

  it('answers with a minimal session when the session store is down', async () => {
    const { deps, modelCalls, jobs } = setup({ sessionFails: true });
    const { done } = await ask(deps, 'recommend a manga about cooking');
    expect(done).toMatchObject({ model: 'haiku', degraded: ['session-unavailable'] });
    expect(modelCalls[0]!.history).toEqual([]);
    // The turn is still handed over (numbered after what the connection knew: nothing).
    expect(jobs[0]!.turn.seq).toBe(1);
  });

  it('reports a stream cut off after tokens as interrupted: no fallback, nothing handed over', async () => {
    const { deps, modelCalls, jobs } = setup({ route: 'sonnet', scripts: { sonnet: { tokens: ['途中', 'まで', '…'], failAfter: 2 } } });
    const { tokens, done, error } = await ask(deps, 'compare the two series in depth');
    expect(tokens).toEqual(['途中', 'まで']);
    expect(done).toBeUndefined();
    expect(error).toEqual({ code: 'stream_interrupted', message: 'the answer was cut off; please ask again' });
    expect(modelCalls.map((c) => c.profile)).toEqual(['sonnet']);
    expect(jobs).toEqual([]);
  });

  it('passes the cache through when it cannot be reached', async () => {
    const { deps, modelCalls } = setup({ cacheFails: true });
    const { tokens, done } = await ask(deps, '人気のマンガ');
    expect(tokens.join('')).toBe('答えです。');
    expect(done).toMatchObject({ cached: false, degraded: ['cache-unavailable'] });
    expect(modelCalls).toHaveLength(1);
  });

  it('orders recommendations by each user’s preferences, leaves out what they asked about, and keeps them out of the shared cache', async () => {
    const { deps, modelCalls, cacheCalls, jobs } = setup();
    await ask(deps, 'recommend a manga', { userId: 'u-seinen', personalization: { preferences: { demographics: ['seinen', 'josei'] }, recentTitleIds: [] } });
    await ask(deps, 'recommend a manga', { userId: 'u-shojo', personalization: { preferences: { demographics: ['shojo'], maxPriceJpy: 600 }, recentTitleIds: ['C'] } });
    const [seinen, shojo] = modelCalls.map((c) => c.products.map((p) => p.id));
    expect(seinen).toEqual(['B', 'E', 'A', 'C', 'D']);
    // C, the only shojo title, was already asked about; then within 600 yen first: A (500), then the
    // rest in the search's order.
    expect(shojo).toEqual(['A', 'B', 'D', 'E']);
    expect(cacheCalls.lookup + cacheCalls.held).toBe(0);
    expect(jobs.map((j) => j.cacheTtlSeconds)).toEqual([0, 0]);

    // Without preferences the same question is the store's answer, cached for everyone.
    await ask(deps, 'recommend a manga', { userId: 'u-new', personalization: { preferences: {}, recentTitleIds: [] } });
    expect(modelCalls[2]!.products.map((p) => p.id)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(jobs[2]!.cacheTtlSeconds).toBeGreaterThan(0);
  });
});
