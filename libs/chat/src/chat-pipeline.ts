import { cacheKeyFor } from '@manga-assist/cache';
import type { CacheHit, ResponseCache } from '@manga-assist/cache';
import type {
  CacheScope,
  ChatTurn,
  Classification,
  DoneFrame,
  ErrorCode,
  Intent,
  ModelProfile,
  ProductSummary,
} from '@manga-assist/contracts';
import { detectLanguage } from '@manga-assist/intent';
import { newTraceId } from '@manga-assist/profiler';
import type { RequestProfiler } from '@manga-assist/profiler';
import type { JobProducer } from '@manga-assist/queue';
import { isDownstreamUnavailable } from '@manga-assist/resilience';
import type { DownstreamName, DownstreamPolicies } from '@manga-assist/resilience';
import { Counter, Histogram } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';
import type { ClassifierPort, ModelGateway, ProductSource, SessionSource, SessionView } from './ports';
import { createAnswerBatcher } from './answer-batcher';
import { LRUCache } from 'lru-cache';
import { personalize } from './personalize';
import type { Personalization } from './personalize';
import { SEGMENTS, SegmentClock } from './segment-clock';
import { selectProducts } from './select-products';
import { createSingleFlight } from './single-flight';
import type { TurnSequence } from '@manga-assist/sessions';

/** What the transport (WebSocket or HTTP) does with the pipeline's output. */
export interface ChatSink {
  token(text: string): void;
  done(frame: DoneFrame): void;
  error(code: ErrorCode, message: string): void;
}

/** Per-connection state, prefetched on connect and kept warm across messages. */
export interface ChatContext {
  sessionId: string;
  userId?: string;
  connectionId: string | null;
  /** undefined: not loaded yet; null: a new session. */
  session?: SessionView | null;
  /** True when `session` came from the connect-time prefetch (the first message says so). */
  prefetched?: boolean;
  prefetchMs?: number;
  trending?: ProductSummary[];
  /** The signed-in user's preferences and the titles they already asked about (prefetched on connect). */
  personalization?: Personalization;
}

/** One request's shared state, made by `startRun` and passed through the steps. */
interface Run {
  request: ChatRequest;
  clock: SegmentClock;
  traceId: string;
  degraded: string[];
  classification: Classification;
  scope: CacheScope;
  /** Whether the user's preferences or history shape the answer (then it is neither looked up in nor written to the shared cache). */
  personalized: boolean;
}

export interface ChatRequest {
  requestId: string;
  text: string;
  /** Time the transport spent parsing and validating the frame. */
  validateMs: number;
  /** Answer with this model instead of the router's choice (breaker and bulkhead fallbacks still apply). */
  profile?: ModelProfile;
  /**
   * The transport's fair-limit check, still in flight: the intent and the cache lookup go ahead
   * beside it (its round trip to Redis overlaps theirs), and nothing reaches the sink, nor is the
   * model asked, until it resolves. False: the request is not answered here at all (the transport
   * tells the client it is over its limit).
   */
  admitted?: Promise<boolean>;
}

export interface ChatPipelineDeps {
  classifier: ClassifierPort;
  cache: ResponseCache;
  products: ProductSource;
  sessions: SessionSource;
  model: ModelGateway;
  route(classification: Classification): ModelProfile;
  producer: JobProducer;
  sequence: TurnSequence;
  registry: Registry;
  log: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  /**
   * Per-downstream breakers, bulkheads and timeouts (redis: the response cache; vector-search;
   * dynamodb: the session; haiku and sonnet: the model). Without them every call goes straight through.
   */
  policies?: DownstreamPolicies;
  /** Per-segment latency histograms, budgets and spans. */
  profiler?: RequestProfiler;
  /**
   * How long answers are gathered into one answered-batch job (ms); 0: only those of the same
   * event-loop turn. Default 10.
   */
  answerBatchMs?: number;
  /**
   * The in-process guardrail tiers, when a fresh answer may be cached by this process as soon as
   * it passes them (held in memory until the post-processor's write reaches Redis), so a repeat
   * moments later is a hit. Left out when a further check (the Bedrock guardrail) must pass first.
   */
  answerCheck?: (input: { question: string; answer: string; intent: Intent }) => boolean;
  /** Seconds a fresh answer stays in the response cache, per intent; 0 = never cached. */
  cacheTtlSeconds?: Partial<Record<Intent, number>>;
  topK?: number;
}

/** Reference TTLs: trending 15 min, new releases 1 h, genre 30 min, title lookups 5 min. */
export const DEFAULT_CACHE_TTL_SECONDS: Record<Intent, number> = {
  trending: 900,
  new_releases: 3600,
  genre_browse: 1800,
  title_lookup: 300,
  recommendation: 600,
  comparison: 600,
  chit_chat: 3600,
  order_status: 0,
};

const MODEL_ERROR_CODES: Record<string, ErrorCode> = {
  throttled: 'model_throttled',
  interrupted: 'stream_interrupted',
  timeout: 'model_error',
  unavailable: 'unavailable',
};

/** Model failures before the first token that Haiku may answer instead of Sonnet. */
const FALLBACK_MODEL_CODES = new Set(['throttled', 'timeout', 'unavailable']);

/** A model call that failed before its first token: another model may still answer. */
class NothingStreamedError extends Error {
  constructor(readonly original: unknown) {
    super((original as Error)?.message ?? String(original));
  }
}

/**
 * The response-cache scope of a question: with `cacheKeyFor` from the cache lib, the one way cache
 * keys are derived, shared by the gateway's lookup, the post-processor's write and the scheduler.
 */
export function cacheScopeFor(classification: Classification, text: string): CacheScope {
  return {
    intent: classification.intent,
    filters: classification.filters,
    titleIds: classification.titleIds,
    language: detectLanguage(text),
  };
}

export interface ChatPipeline {
  handle(request: ChatRequest, context: ChatContext, sink: ChatSink, signal?: AbortSignal): Promise<void>;
  /** Hands over the answers gathered so far, and each later one at once (at shutdown, before the producer flushes). */
  drainAnswers(): void;
}

export function createChatPipeline(deps: ChatPipelineDeps): ChatPipeline {
  const ttl = { ...DEFAULT_CACHE_TTL_SECONDS, ...deps.cacheTtlSeconds };
  const topK = deps.topK ?? 5;
  const segmentSeconds = new Histogram({
    name: 'manga_assist_chat_segment_seconds',
    help: 'Time spent per segment of a chat request.',
    labelNames: ['segment'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [deps.registry],
  });
  const requests = new Counter({
    name: 'manga_assist_chat_requests_total',
    help: 'Chat requests by intent, model and outcome.',
    labelNames: ['intent', 'model', 'outcome'],
    registers: [deps.registry],
  });
  const cacheHits = new Counter({
    name: 'manga_assist_cache_hits_total',
    help: 'Answers served from the response cache: pre-computed by the scheduler, else by how the question matched (exact or semantic).',
    labelNames: ['kind'],
    registers: [deps.registry],
  });
  const promptBytes = new Histogram({
    name: 'manga_assist_prompt_bytes',
    help: 'Size of the prompt sent to the model.',
    buckets: [256, 512, 1024, 2048, 4096, 8192, 16384],
    registers: [deps.registry],
  });

  const modelCallsAvoided = new Counter({
    name: 'manga_assist_model_calls_avoided_total',
    help: 'Model calls not made because the same question was already streaming from the same model (the answer was shared).',
    labelNames: ['model'],
    registers: [deps.registry],
  });
  /** Model streams in flight by question (cache key) and model, shared by identical questions. */
  const flights = createSingleFlight<string>();

  // The last products found per question and filters: while the vector search is unavailable, a
  // question asked before is answered from what it found then.
  const recentResults = new LRUCache<string, ProductSummary[]>({ max: 2000 });
  const answers = createAnswerBatcher({ producer: deps.producer, windowMs: deps.answerBatchMs ?? 10 });
  const noSignal = new AbortController().signal;
  /**
   * Runs a downstream call under its policy (breaker, bulkhead, timeout), when there is one. Reads
   * are idempotent: retried with jittered backoff inside the policy's timeout.
   */
  const guard = <T>(name: DownstreamName, call: (signal: AbortSignal) => Promise<T>, options: { signal?: AbortSignal; idempotent?: boolean } = {}): Promise<T> =>
    deps.policies ? deps.policies.get(name).execute(call, options) : call(options.signal ?? noSignal);
  /** A refusal by an open breaker or a full bulkhead is expected while degraded: not worth a log line each time. */
  const worthLogging = (error: unknown) => !isDownstreamUnavailable(error, 'breaker-open') && !isDownstreamUnavailable(error, 'bulkhead-full');

  const recordProfile = (traceId: string, clock: SegmentClock, model: string) =>
    deps.profiler?.record({ traceId, startedAt: clock.startedAt, timings: { ...clock.timings, total: clock.elapsed() }, spans: clock.spans, model });

  // One child per segment, made once: observing through labels hashes them on every call.
  const segmentChildren = SEGMENTS.map((segment) => [segment, segmentSeconds.labels({ segment })] as const);
  const observe = (timings: Record<string, number>) => {
    for (const [segment, child] of segmentChildren) {
      const ms = timings[segment];
      if (ms !== undefined) child.observe(ms / 1000);
    }
  };

  async function loadSession(context: ChatContext, degraded: string[]): Promise<SessionView | null> {
    if (context.session !== undefined) return context.session;
    try {
      // Not retried here: the AWS SDK retries on its own.
      context.session = await guard('dynamodb', () => deps.sessions.load(context.sessionId));
      return context.session;
    } catch (error) {
      // A session store that is down costs the answer its history, not the answer: a minimal
      // (empty) session now, and the next message tries the store again.
      degraded.push('session-unavailable');
      deps.policies?.recordFallback('dynamodb', 'minimal-session');
      if (worthLogging(error)) deps.log.warn({ err: (error as Error).message, sessionId: context.sessionId }, 'session load failed: answering without history');
      return null;
    }
  }

  /** Products for the prompt; while the search is unavailable, what the same question found last time, else popular titles. */
  async function findProducts(classification: Classification, text: string, context: ChatContext, degraded: string[], k = topK): Promise<ProductSummary[]> {
    const key = `${classification.intent}|${JSON.stringify(classification.filters)}|${k}|${text}`;
    try {
      const products = await guard('vector-search', () => selectProducts(deps.products, classification, text, { trending: context.trending, topK: k }), { idempotent: true });
      if (deps.policies && products.length > 0) recentResults.set(key, products);
      return products;
    } catch (error) {
      degraded.push('search-fallback');
      if (worthLogging(error)) deps.log.warn({ err: (error as Error).message }, 'product search failed: answering from recent or popular titles');
      const recent = recentResults.get(key);
      if (recent) {
        deps.policies?.recordFallback('vector-search', 'recent-results');
        return recent;
      }
      deps.policies?.recordFallback('vector-search', 'popular-titles');
      if (context.trending?.length) return context.trending.slice(0, k);
      return deps.products.list('trending', classification.filters, k).catch(() => []);
    }
  }

  /**
   * Sonnet answers only while its breaker is closed and its bulkhead has a free slot: a full
   * bulkhead routes to Haiku instead of queueing behind slow answers.
   */
  function pickModel(routed: ModelProfile, degraded: string[]): ModelProfile {
    if (routed !== 'sonnet' || !deps.policies) return routed;
    const sonnet = deps.policies.get('sonnet');
    const load = sonnet.load();
    if (!sonnet.canRun() || load.executing >= load.limit) {
      degraded.push(sonnet.state() === 'closed' ? 'sonnet-busy' : 'sonnet-unavailable');
      deps.policies.recordFallback('sonnet', 'haiku');
      return 'haiku';
    }
    return routed;
  }

  /**
   * Hands the answer over to the post-processor without waiting, gathered with the other answers of
   * the next few milliseconds into one answered-batch job: it derives the cache write, guardrail
   * check, analytics event, audit record and session turn of each (the post-processor's answerJobs).
   */
  function handOff(run: Run, context: ChatContext, answer: string, model: ModelProfile | 'cache'): void {
    const { traceId, request, classification, scope } = run;
    const at = new Date().toISOString();
    // Copied now: the job leaves once the turn is numbered, and the caller's timings grow meanwhile.
    const timings = { ...run.clock.timings };
    const degraded = [...run.degraded];
    // Only a fresh, low-risk answer of an intent with a TTL, the same for everyone who asks, is cached.
    const cacheTtlSeconds = model !== 'cache' && classification.risk === 'low' && !run.personalized ? ttl[classification.intent] : 0;

    // The session turn needs its place in the session: numbered from a shared counter (several
    // gateway instances may serve one session), then handed over with the rest of the answer.
    const knownLastSeq = context.session?.lastSeq ?? 0;
    // Keep the connection's own view current at once, so the next message has this turn in its
    // history before it is numbered (a few milliseconds) and long before the post-processor stores it.
    // Until then it holds the number it most likely gets (history is ordered by number).
    const session = context.session ?? { sessionId: context.sessionId, lastSeq: 0, turns: [], summary: '' };
    const likelySeq = Math.max(session.lastSeq, session.turns.at(-1)?.seq ?? 0) + 1;
    const turn: ChatTurn = { seq: likelySeq, requestId: request.requestId, user: request.text, assistant: answer, intent: classification.intent, at };
    session.turns = [...session.turns, turn].slice(-5);
    context.session = session;
    void deps.sequence
      .next(context.sessionId, knownLastSeq)
      .then(
        (seq) => {
          turn.seq = seq;
          session.lastSeq = Math.max(session.lastSeq, seq);
          answers.add({
            traceId,
            at,
            requestId: request.requestId,
            question: request.text,
            answer,
            model,
            sessionId: context.sessionId,
            userId: context.userId,
            connectionId: context.connectionId,
            intent: classification.intent,
            titleIds: classification.titleIds,
            scope,
            cacheTtlSeconds,
            timings,
            degraded,
            turn: { ...turn },
          });
        },
        (error: unknown) => {
          deps.log.error({ err: (error as Error).message, sessionId: context.sessionId, traceId }, 'session turn could not be numbered: answer not handed over');
        },
      )
      .catch((error: unknown) => {
        deps.log.error({ err: (error as Error).message, sessionId: context.sessionId, traceId }, 'answer could not be handed over');
      });
  }

  /** Classifies the question and starts its clock: everything the later steps share. */
  function startRun(request: ChatRequest, context: ChatContext): Run {
    const clock = new SegmentClock();
    clock.set('validate', request.validateMs);
    const classification = clock.timeSync('intent', () => deps.classifier.classify(request.text));
    return {
      request,
      clock,
      traceId: newTraceId(),
      degraded: [],
      classification,
      scope: cacheScopeFor(classification, request.text),
      personalized: isPersonalized(classification, context.personalization),
    };
  }

  /**
   * 1. The response cache: an exact entry held in memory needs no Redis call (nor its breaker or
   * bulkhead); then Redis. Skipped for what is never cached (risky or TTL-less intents, answers
   * shaped by the user's own preferences). A cache that cannot be reached is passed through.
   */
  /** Whether the answer to this question is the same for everyone who asks, and is cached. */
  const isCacheable = (run: Run) => run.classification.risk === 'low' && ttl[run.classification.intent] > 0 && !run.personalized;

  async function lookupCache(run: Run): Promise<CacheHit | null> {
    const { request, scope, clock } = run;
    if (!isCacheable(run)) return null;
    try {
      return await clock.time('cache-lookup', async () =>
        deps.cache.held(request.text, scope) ?? guard('redis', () => deps.cache.lookup(request.text, scope), { idempotent: true }),
      );
    } catch (error) {
      run.degraded.push('cache-unavailable');
      deps.policies?.recordFallback('redis', 'pass-through');
      if (worthLogging(error)) deps.log.warn({ err: (error as Error).message }, 'response cache unavailable: passing through');
      return null;
    }
  }

  /**
   * 2. Retrieval and the session, in parallel (the session is usually prefetched already); the
   * products are then ordered by the user's preferences, without what they already asked about.
   */
  async function gatherContext(run: Run, context: ChatContext): Promise<{ products: ProductSummary[]; session: SessionView | null }> {
    const { clock, degraded } = run;
    const wasPrefetched = context.prefetched === true && context.session !== undefined;
    // A personalized list drops what the user already asked about: fetch spare candidates for it.
    const k = run.personalized ? topK * 3 : topK;
    // A session already in hand (prefetched, or new and so empty) is not read: its segment is 0, not
    // the time the search's own work delays the settling of an already-settled promise.
    const known = context.session !== undefined;
    if (known) clock.set('session-load', 0);
    const [found, session] = await Promise.all([
      clock.time('vector-search', () => findCandidates(run, context, k)),
      known ? (context.session ?? null) : clock.time('session-load', () => loadSession(context, degraded)),
    ]);
    if (wasPrefetched) {
      clock.set('prefetched', 1);
      context.prefetched = false;
    }
    const products = run.personalized && context.personalization ? personalize(found, context.personalization, topK) : found;
    return { products, session };
  }

  /**
   * The products to answer from. For a personalized question that names no demographic, the
   * user's preferred demographics (the first two) are searched too, side by side with the question
   * itself: a preference should bring in titles the plain search ranks too low to return at all.
   */
  async function findCandidates(run: Run, context: ChatContext, k: number): Promise<ProductSummary[]> {
    const { request, classification, degraded } = run;
    const preferred = run.personalized && !classification.filters.demographic ? (context.personalization?.preferences.demographics ?? []).slice(0, 2) : [];
    const [base, ...extra] = await Promise.all([
      findProducts(classification, request.text, context, degraded, k),
      ...preferred.map((demographic) =>
        guard(
          'vector-search',
          () => selectProducts(deps.products, { ...classification, filters: { ...classification.filters, demographic } }, request.text, { topK }),
          { idempotent: true },
        ).catch(() => [] as ProductSummary[]),
      ),
    ]);
    const seen = new Set<string>();
    return [...extra.flat(), ...base].filter((p) => !seen.has(p.id) && (seen.add(p.id), true));
  }

  /**
   * 3. The model: streamed token by token, the first token never held back. A Sonnet call that
   * fails before its first token (or cannot start) is answered by Haiku instead, and says so.
   */
  async function streamWithFallback(
    run: Run,
    gathered: { products: ProductSummary[]; session: SessionView | null },
    sink: ChatSink,
    signal: AbortSignal | undefined,
  ): Promise<{ ok: true; answer: string; profile: ModelProfile; usage: DoneFrame['usage'] } | { ok: false; code: ErrorCode; profile: ModelProfile; error: unknown }> {
    const { request, classification, clock, degraded } = run;
    const { products, session } = gathered;
    let profile = pickModel(request.profile ?? deps.route(classification), degraded);
    let answer = '';
    let usage: DoneFrame['usage'];
    /** Whether any token reached the client: after that, no other model may take over. */
    let streamed = false;
    const fmStarted = performance.now();
    const relay = async (tokens: AsyncIterable<string>) => {
      let first = true;
      // Sending every token is timed, as one 'stream' segment and one span from the first
      // token to the last: a span (and a closure) per token would cost more than the send.
      let streamStarted = 0;
      let streamMs = 0;
      try {
        for await (const text of tokens) {
          const t0 = performance.now();
          if (first) {
            clock.set('fm-first-token', t0 - fmStarted);
            streamStarted = t0;
            first = false;
          }
          answer += text;
          streamed = true;
          sink.token(text);
          streamMs += performance.now() - t0;
        }
      } catch (error) {
        throw first ? new NothingStreamedError(error) : error;
      } finally {
        if (!first) clock.record('stream', streamStarted, streamMs);
      }
    };
    // The same cacheable question already streaming from the same model is not asked again: this
    // request reads that answer (and fails with its error), outside the model's bulkhead.
    const shareKey = isCacheable(run) ? cacheKeyFor(request.text, run.scope).entryId : undefined;
    const streamFrom = (model: ModelProfile) => {
      const key = shareKey && `${model}:${shareKey}`;
      const shared = key ? flights.join(key, signal) : undefined;
      if (shared) {
        modelCallsAvoided.inc({ model });
        return relay(shared);
      }
      return guard(
        model,
        async (callSignal) => {
          let stream: ReturnType<ModelGateway['stream']> | undefined;
          const open = (streamSignal: AbortSignal) => {
            stream = deps.model.stream({
              profile: model,
              userText: request.text,
              intent: classification.intent,
              history: session?.turns ?? [],
              summary: session?.summary ?? '',
              products,
              signal: streamSignal,
            });
            promptBytes.observe(stream.promptBytes);
            clock.set('prompt-bytes', stream.promptBytes);
            return stream.tokens;
          };
          await relay(clock.timeSync('prompt-assembly', () => (key ? flights.lead(key, open, callSignal) : open(callSignal))));
          usage = stream?.usage();
        },
        { signal },
      );
    };
    try {
      try {
        await streamFrom(profile);
      } catch (error) {
        if (profile !== 'sonnet' || streamed || signal?.aborted || !haikuMayAnswer(error)) throw error;
        const cause = error instanceof NothingStreamedError ? error.original : error;
        deps.log.warn({ err: (cause as Error).message, requestId: request.requestId }, 'sonnet could not answer: answering with haiku');
        degraded.push('sonnet-unavailable');
        deps.policies?.recordFallback('sonnet', 'haiku');
        profile = 'haiku';
        await streamFrom(profile);
      }
      clock.set('fm-total', performance.now() - fmStarted);
      return { ok: true, answer, profile, usage };
    } catch (caught) {
      const error = caught instanceof NothingStreamedError ? caught.original : caught;
      return { ok: false, code: failureCode(error, streamed), profile, error };
    }
  }

  /** 4a. A finished answer: handed over to the post-processor, then `done` with its timings. */
  function finish(run: Run, context: ChatContext, sink: ChatSink, answer: string, model: ModelProfile | 'cache', usage?: DoneFrame['usage'], products?: ProductSummary[]): void {
    const { request, classification, clock, degraded } = run;
    clock.timeSync('enqueue', () => handOff(run, context, answer, model));
    const frame: DoneFrame = { type: 'done', requestId: request.requestId, cached: model === 'cache', model, intent: classification.intent, timings: clock.timings };
    if (degraded.length) frame.degraded = degraded;
    if (usage) frame.usage = usage;
    // The products it was grounded on; a cached answer has none to name (the cache keeps only the text).
    if (products) frame.products = products;
    sink.done(frame);
    // After `done`, off the answer's own path: the post-processor's write takes far longer to land.
    if (model !== 'cache' && isCacheable(run) && deps.answerCheck?.({ question: request.text, answer, intent: classification.intent })) {
      deps.cache.holdLocally({ question: request.text, answer, model, scope: run.scope, ttlSeconds: ttl[classification.intent] });
    }
    observe(clock.timings);
    recordProfile(run.traceId, clock, model);
    requests.inc({ intent: classification.intent, model, outcome: 'answered' });
  }

  /** 4b. An answer the model could not give: a typed error, nothing handed over. */
  function fail(run: Run, sink: ChatSink, failure: { code: ErrorCode; profile: ModelProfile; error: unknown }): void {
    const { code, profile, error } = failure;
    requests.inc({ intent: run.classification.intent, model: profile, outcome: code });
    if (worthLogging(error)) deps.log.warn({ err: (error as Error).message, code, profile, requestId: run.request.requestId }, 'model stream failed');
    sink.error(code, code === 'stream_interrupted' ? 'the answer was cut off; please ask again' : `the model could not answer (${code})`);
  }

  return {
    drainAnswers: () => answers.drain(),
    async handle(request, context, sink, signal) {
      const run = startRun(request, context);
      const [hit, admitted] = await Promise.all([lookupCache(run), request.admitted ?? true]);
      if (!admitted) return;
      if (hit) {
        run.clock.timeSync('stream', () => sink.token(hit.answer));
        finish(run, context, sink, hit.answer, 'cache');
        cacheHits.inc({ kind: hit.precomputed ? 'precomputed' : hit.kind });
        return;
      }
      const gathered = await gatherContext(run, context);
      const result = await streamWithFallback(run, gathered, sink, signal);
      if (result.ok) finish(run, context, sink, result.answer, result.profile, result.usage, gathered.products);
      else fail(run, sink, result);
    },
  };
}

/** A Sonnet failure that Haiku may answer instead: nothing streamed, and a refusal or a transient model error. */
function haikuMayAnswer(error: unknown): boolean {
  const nothingSent = error instanceof NothingStreamedError || isDownstreamUnavailable(error);
  const cause = error instanceof NothingStreamedError ? error.original : error;
  const code = (cause as { code?: string }).code ?? '';
  return nothingSent && (isDownstreamUnavailable(cause) || FALLBACK_MODEL_CODES.has(code));
}

/** The typed error a client gets for a failed model call. */
export function failureCode(error: unknown, streamed: boolean): ErrorCode {
  // A timeout after some tokens cut the answer off: the client must not take it as complete.
  if (streamed && isDownstreamUnavailable(error)) return 'stream_interrupted';
  if (isDownstreamUnavailable(error, 'bulkhead-full')) return 'busy';
  if (isDownstreamUnavailable(error)) return 'unavailable';
  return MODEL_ERROR_CODES[(error as { code?: string }).code ?? ''] ?? 'model_error';
}

/** Intents whose products are shaped by the user's preferences and history (lists of the store stay the same for everyone). */
const PERSONAL_INTENTS = new Set<Intent>(['recommendation', 'genre_browse']);

function isPersonalized(classification: Classification, personalization: Personalization | undefined): boolean {
  if (!personalization || !PERSONAL_INTENTS.has(classification.intent)) return false;
  const { preferences, recentTitleIds } = personalization;
  return recentTitleIds.length > 0 || (preferences.demographics?.length ?? 0) > 0 || preferences.maxPriceJpy !== undefined;
}
