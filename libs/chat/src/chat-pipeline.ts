import { randomBytes } from 'node:crypto';
import type { ResponseCache } from '@manga-assist/cache';
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
import type { JobProducer } from '@manga-assist/queue';
import { Counter, Histogram } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';
import type { ClassifierPort, ModelGateway, ProductSource, SessionSource, SessionView } from './ports';
import { SEGMENTS, SegmentClock } from './segment-clock';
import { selectProducts } from './select-products';
import type { TurnSequence } from './turn-sequence';

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
}

export interface ChatRequest {
  requestId: string;
  text: string;
  /** Time the transport spent parsing and validating the frame. */
  validateMs: number;
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
  const promptBytes = new Histogram({
    name: 'manga_assist_prompt_bytes',
    help: 'Size of the prompt sent to the model.',
    buckets: [256, 512, 1024, 2048, 4096, 8192, 16384],
    registers: [deps.registry],
  });

  const observe = (timings: Record<string, number>) => {
    for (const segment of SEGMENTS) {
      const ms = timings[segment];
      if (ms !== undefined) segmentSeconds.observe({ segment }, ms / 1000);
    }
  };

  async function loadSession(context: ChatContext): Promise<SessionView | null> {
    if (context.session !== undefined) return context.session;
    try {
      context.session = await deps.sessions.load(context.sessionId);
    } catch (error) {
      // A session store that is down costs the answer its history, not the answer.
      deps.log.warn({ err: (error as Error).message, sessionId: context.sessionId }, 'session load failed: answering without history');
      context.session = null;
    }
    return context.session;
  }

  /** Hands the post-processing jobs over without waiting for any of them. */
  function handOff(args: {
    traceId: string;
    request: ChatRequest;
    context: ChatContext;
    classification: Classification;
    scope: CacheScope;
    answer: string;
    model: ModelProfile | 'cache';
    timings: Record<string, number>;
    degraded: string[];
  }): void {
    const { traceId, request, context, classification, scope, answer, model } = args;
    const at = new Date().toISOString();
    if (model !== 'cache' && ttl[classification.intent] > 0 && classification.risk === 'low') {
      deps.producer.enqueue('cache-write', {
        traceId,
        question: request.text,
        answer,
        model,
        scope,
        ttlSeconds: ttl[classification.intent],
        createdAt: at,
      });
    }
    if (model !== 'cache') {
      // A cached answer was checked when it was first given.
      deps.producer.enqueue('guardrail-check', {
        traceId,
        connectionId: context.connectionId,
        requestId: request.requestId,
        sessionId: context.sessionId,
        intent: classification.intent,
        question: request.text,
        answer,
      });
    }
    deps.producer.enqueue('analytics', {
      eventId: traceId,
      type: 'chat_answered',
      sessionId: context.sessionId,
      intent: classification.intent,
      model,
      cached: model === 'cache',
      titleIds: classification.titleIds,
      timings: args.timings,
      degraded: args.degraded,
      at,
    });
    deps.producer.enqueue('audit', {
      traceId,
      sessionId: context.sessionId,
      userId: context.userId,
      requestId: request.requestId,
      question: request.text,
      answer,
      model,
      at,
    });

    // The session turn needs its place in the session: numbered from a shared counter (several
    // gateway instances may serve one session), then handed over like the rest.
    const knownLastSeq = context.session?.lastSeq ?? 0;
    void deps.sequence
      .next(context.sessionId, knownLastSeq)
      .then((seq) => {
        const turn: ChatTurn = { seq, requestId: request.requestId, user: request.text, assistant: answer, intent: classification.intent, at };
        deps.producer.enqueue('session-update', { traceId, sessionId: context.sessionId, userId: context.userId, turn, titleIds: classification.titleIds });
        // Keep the connection's own view current, so the next message has this turn in its history
        // before the post-processor has stored it.
        const session = context.session ?? { sessionId: context.sessionId, lastSeq: 0, turns: [], summary: '' };
        session.turns = [...session.turns, turn].slice(-5);
        session.lastSeq = Math.max(session.lastSeq, seq);
        context.session = session;
      })
      .catch((error: unknown) => {
        deps.log.error({ err: (error as Error).message, sessionId: context.sessionId, traceId }, 'session turn could not be numbered: not stored');
      });
  }

  return {
    async handle(request, context, sink, signal) {
      const clock = new SegmentClock();
      clock.set('validate', request.validateMs);
      const traceId = randomBytes(16).toString('hex');
      const degraded: string[] = [];

      const classification = clock.timeSync('intent', () => deps.classifier.classify(request.text));
      const scope = cacheScopeFor(classification, request.text);

      // 1. The response cache: a hit is streamed at once, with no model call.
      let hit = null;
      if (classification.risk === 'low' && ttl[classification.intent] > 0) {
        try {
          hit = await clock.time('cache-lookup', () => deps.cache.lookup(request.text, scope));
        } catch (error) {
          degraded.push('cache-unavailable');
          deps.log.warn({ err: (error as Error).message }, 'response cache unavailable: passing through');
        }
      }
      if (hit) {
        clock.timeSync('stream', () => sink.token(hit.answer));
        clock.timeSync('enqueue', () =>
          handOff({ traceId, request, context, classification, scope, answer: hit.answer, model: 'cache', timings: clock.timings, degraded }),
        );
        const frame: DoneFrame = { type: 'done', requestId: request.requestId, cached: true, model: 'cache', intent: classification.intent, timings: clock.timings };
        if (degraded.length) frame.degraded = degraded;
        sink.done(frame);
        observe(clock.timings);
        requests.inc({ intent: classification.intent, model: 'cache', outcome: 'answered' });
        return;
      }

      // 2. Retrieval and the session, in parallel (the session is usually prefetched already).
      const wasPrefetched = context.prefetched === true && context.session !== undefined;
      const [products, session] = await Promise.all([
        clock.time('vector-search', () => selectProducts(deps.products, classification, request.text, { trending: context.trending, topK })),
        clock.time('session-load', () => loadSession(context)),
      ]);
      if (wasPrefetched) {
        clock.set('prefetched', 1);
        context.prefetched = false;
      }

      // 3. The model: streamed token by token, the first token never held back.
      const profile = deps.route(classification);
      let answer = '';
      const fmStarted = performance.now();
      try {
        const { promptBytes: bytes, tokens } = clock.timeSync('prompt-assembly', () =>
          deps.model.stream({
            profile,
            userText: request.text,
            intent: classification.intent,
            history: session?.turns ?? [],
            summary: session?.summary ?? '',
            products,
            signal,
          }),
        );
        promptBytes.observe(bytes);
        clock.set('prompt-bytes', bytes);
        let first = true;
        for await (const text of tokens) {
          if (first) {
            clock.set('fm-first-token', performance.now() - fmStarted);
            first = false;
          }
          answer += text;
          clock.timeSync('stream', () => sink.token(text));
        }
        clock.set('fm-total', performance.now() - fmStarted);
      } catch (error) {
        const code = MODEL_ERROR_CODES[(error as { code?: string }).code ?? ''] ?? 'model_error';
        requests.inc({ intent: classification.intent, model: profile, outcome: code });
        deps.log.warn({ err: (error as Error).message, code, profile, requestId: request.requestId }, 'model stream failed');
        sink.error(code, code === 'stream_interrupted' ? 'the answer was cut off; please ask again' : `the model could not answer (${code})`);
        return;
      }

      clock.timeSync('enqueue', () =>
        handOff({ traceId, request, context, classification, scope, answer, model: profile, timings: clock.timings, degraded }),
      );
      const frame: DoneFrame = { type: 'done', requestId: request.requestId, cached: false, model: profile, intent: classification.intent, timings: clock.timings };
      if (degraded.length) frame.degraded = degraded;
      sink.done(frame);
      observe(clock.timings);
      requests.inc({ intent: classification.intent, model: profile, outcome: 'answered' });
    },
  };
}
