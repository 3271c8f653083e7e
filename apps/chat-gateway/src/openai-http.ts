import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ChatContext, ChatPipeline, ChatRequest, ChatSink } from '@manga-assist/chat';
import {
  CHAT_LIMITS,
  ChatCompletionRequestSchema,
  OPENAI_MODEL_IDS,
  OPENAI_MODELS,
  SESSION_HEADER,
  SessionIdHeaderSchema,
  isOpenAiModelId,
} from '@manga-assist/contracts';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  DoneFrame,
  MangaAssistExtension,
  OpenAiModel,
  OpenAiModelList,
  OpenAiUsage,
} from '@manga-assist/contracts';
import { AuthError, bearerFromHeaders } from '@manga-assist/auth';
import type { AppServer } from '@manga-assist/server';
import type { Caller, CallerAuth } from './caller-auth';
import { OpenAiError, fromFastifyError, fromPipelineError, fromZodIssue, internalError, invalidRequest, modelNotFound, rateLimitExceeded } from './openai-errors';
import type { FairLimits } from './fair-limits';
import { readConversation } from './openai-messages';

/** When the models were first offered: OpenAI's model objects carry a creation time. */
const MODELS_CREATED = Math.floor(Date.UTC(2026, 11, 1) / 1000);
const MODELS: OpenAiModel[] = OPENAI_MODEL_IDS.map((id) => ({ id, object: 'model', created: MODELS_CREATED, owned_by: 'manga-assist' }));

/**
 * The OpenAI-compatible door: POST /v1/chat/completions (a `chat.completion` document, or
 * `chat.completion.chunk` Server-Sent Events ending with `data: [DONE]`) and GET /v1/models, over
 * the same pipeline as the WebSocket. Every failure, Fastify's own included, is an OpenAI error body.
 */
export function registerOpenAiHttp(server: AppServer, pipeline: ChatPipeline, auth: CallerAuth, options: { limits?: Pick<FairLimits, 'consume'> } = {}): void {
  // Its own scope, so its body parser and error handler apply to these routes only.
  void server.register(async (scope) => {
    // Any content type is read as JSON: `curl -d` sends form encoding, and OpenAI's clients JSON.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: CHAT_LIMITS.maxInboundFrameBytes }, (_request, body, done) => {
      try {
        done(null, body === '' ? undefined : JSON.parse(body as string));
      } catch (error) {
        done(invalidRequest('invalid_json', `the request body is not valid JSON (${(error as Error).message})`));
      }
    });
    scope.setErrorHandler((error, request, reply) => {
      const failure = fromFastifyError(error);
      if (failure.status >= 500) request.log.error({ err: error }, 'OpenAI-compatible request failed');
      return reply.code(failure.status).headers(failure.headers()).send(failure.body());
    });

    // Every call of this door carries the bearer token (OpenAI's SDKs send the api key as one).
    const callers = new WeakMap<object, Caller>();
    scope.addHook('onRequest', async (request, reply) => {
      const header = request.headers[SESSION_HEADER];
      try {
        const caller = await auth.authenticate(bearerFromHeaders(request.headers), typeof header === 'string' ? header : undefined);
        callers.set(request, caller);
        if (caller.sessionToken) void reply.header('x-session-token', caller.sessionToken);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        throw new OpenAiError(error.status, error.status === 503 ? 'server_error' : 'invalid_request_error', error.status === 401 ? (error.code === 'token_expired' ? 'token_expired' : 'invalid_api_key') : error.code, error.message);
      }
    });

    scope.get('/v1/models', async (): Promise<OpenAiModelList> => ({ object: 'list', data: MODELS }));
    scope.get<{ Params: { model: string } }>('/v1/models/:model', async (request) => {
      const model = MODELS.find((m) => m.id === request.params.model);
      if (!model) throw modelNotFound(request.params.model);
      return model;
    });

    scope.post('/v1/chat/completions', { bodyLimit: CHAT_LIMITS.maxInboundFrameBytes }, async (request, reply) => {
      const started = performance.now();
      const parsed = ChatCompletionRequestSchema.safeParse(request.body ?? {});
      if (!parsed.success) throw fromZodIssue(parsed.error.issues[0]!, request.body ?? {});
      const body = parsed.data;
      if (!isOpenAiModelId(body.model)) throw modelNotFound(body.model);
      const { question, history } = readConversation(body.messages, new Date().toISOString());
      const sessionHeader = request.headers[SESSION_HEADER];
      const continued = sessionHeader === undefined ? undefined : SessionIdHeaderSchema.safeParse(sessionHeader);
      if (continued && !continued.success) throw invalidRequest('invalid_value', continued.error.issues[0]!.message, 'X-Session-Id');

      // A continued session brings its own stored history; otherwise the earlier messages are the
      // history of a new session, which the answer's turn starts.
      const caller = callers.get(request)!;
      // A well-formed request counts against the user's message rate, shared with the other doors;
      // checked while the pipeline starts on the question, which answers nothing until it allows.
      const decision = options.limits?.consume('messages', caller.userId);
      const sessionId = caller.sessionId ?? continued?.data ?? randomUUID();
      // The user is the token's; OpenAI's `user` field is only the client's label and is not trusted.
      const context: ChatContext = { sessionId, userId: caller.userId, connectionId: null };
      if (!continued) context.session = { sessionId, lastSeq: 0, turns: history, summary: '' };
      const requestId = randomUUID();
      const chatRequest: ChatRequest = { requestId, text: question, validateMs: performance.now() - started, profile: OPENAI_MODELS[body.model], admitted: decision?.then((d) => d.allowed) };
      const answer = { id: `chatcmpl-${requestId}`, created: Math.floor(Date.now() / 1000), model: body.model, sessionId, requestId };

      const abort = new AbortController();
      // The response closing before it finished means the client went away: stop the model.
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      reply.hijack();
      const out = reply.raw;
      if (caller.sessionToken) out.setHeader('x-session-token', caller.sessionToken);
      try {
        if (body.stream) await streamAnswer(pipeline, chatRequest, context, out, answer, body.stream_options?.include_usage === true, abort.signal);
        else await answerWhole(pipeline, chatRequest, context, out, answer, abort.signal);
        // Over the limit: the pipeline answered nothing, and the client gets OpenAI's 429.
        const allowed = await decision;
        if (allowed && !allowed.allowed && !out.headersSent) {
          const refused = rateLimitExceeded(allowed.retryAfterMs);
          sendJson(out, refused.status, refused.body(), sessionId, refused.headers());
        }
      } catch (error) {
        request.log.error({ err: error, requestId }, 'OpenAI-compatible chat request failed');
        if (!out.headersSent) sendJson(out, internalError().status, internalError().body(), sessionId);
        else if (!out.writableEnded) out.end(errorEvent(internalError()));
      }
    });
  });
}

interface AnswerIds {
  id: string;
  created: number;
  /** The model id the client asked for, echoed as OpenAI's servers do. */
  model: string;
  sessionId: string;
  requestId: string;
}

function extension(done: DoneFrame, ids: AnswerIds): MangaAssistExtension {
  return {
    session_id: ids.sessionId,
    request_id: ids.requestId,
    cached: done.cached,
    model: done.model,
    intent: done.intent,
    degraded: done.degraded ?? [],
    timings: done.timings,
  };
}

/** The model's own token counts; a cached answer cost no model tokens. Undefined when the model reported none. */
function usageOf(done: DoneFrame): OpenAiUsage | undefined {
  if (done.cached) return { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  if (!done.usage) return undefined;
  const { inputTokens, outputTokens } = done.usage;
  return { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
}

function sendJson(out: ServerResponse, status: number, body: unknown, sessionId: string, headers: Record<string, string> = {}): void {
  if (out.destroyed) return;
  out.writeHead(status, { 'content-type': 'application/json; charset=utf-8', [SESSION_HEADER]: sessionId, ...headers });
  out.end(JSON.stringify(body));
}

async function answerWhole(pipeline: ChatPipeline, request: ChatRequest, context: ChatContext, out: ServerResponse, ids: AnswerIds, signal: AbortSignal): Promise<void> {
  let text = '';
  let done: DoneFrame | undefined;
  let failure: OpenAiError | undefined;
  await pipeline.handle(request, context, {
    token: (t) => void (text += t),
    done: (d) => void (done = d),
    error: (code, message) => void (failure = fromPipelineError(code, message)),
  }, signal);
  // Nothing at all: refused by the message rate (the caller answers with the 429).
  if (!failure && !done && !text && (await request.admitted) === false) return;
  if (failure || !done) {
    const error = failure ?? internalError();
    return sendJson(out, error.status, error.body(), ids.sessionId, error.headers());
  }
  const usage = usageOf(done);
  const completion: ChatCompletion = {
    id: ids.id,
    object: 'chat.completion',
    created: ids.created,
    model: ids.model,
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }],
    ...(usage ? { usage } : {}),
    manga_assist: extension(done, ids),
  };
  sendJson(out, 200, completion, ids.sessionId);
}

const errorEvent = (error: OpenAiError) => `event: error\ndata: ${JSON.stringify(error.body())}\n\n`;

/**
 * Streams the answer as chunks. The head is written with the first token, so a request refused
 * before any (busy, unavailable) still gets its HTTP status and a JSON error; one that breaks after
 * it ends with an `error` event and no `[DONE]`.
 */
async function streamAnswer(
  pipeline: ChatPipeline,
  request: ChatRequest,
  context: ChatContext,
  out: ServerResponse,
  ids: AnswerIds,
  includeUsage: boolean,
  signal: AbortSignal,
): Promise<void> {
  const chunk = (choices: ChatCompletionChunk['choices'], extra: Partial<ChatCompletionChunk> = {}): string => {
    const value: ChatCompletionChunk = { id: ids.id, object: 'chat.completion.chunk', created: ids.created, model: ids.model, choices, ...(includeUsage ? { usage: null } : {}), ...extra };
    return `data: ${JSON.stringify(value)}\n\n`;
  };
  const write = (data: string) => {
    if (out.destroyed) return;
    if (!out.headersSent) {
      out.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        // Proxies such as nginx would otherwise hold the tokens back.
        'x-accel-buffering': 'no',
        [SESSION_HEADER]: ids.sessionId,
      });
      out.write(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }]));
    }
    out.write(data);
  };
  const sink: ChatSink = {
    token: (text) => write(chunk([{ index: 0, delta: { content: text }, finish_reason: null, logprobs: null }])),
    done: (done) => {
      write(chunk([{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }], { manga_assist: extension(done, ids) }));
      if (includeUsage) write(chunk([], { usage: usageOf(done) ?? null }));
      write('data: [DONE]\n\n');
    },
    error: (code, message) => {
      const error = fromPipelineError(code, message);
      if (!out.headersSent) sendJson(out, error.status, error.body(), ids.sessionId, error.headers());
      else write(errorEvent(error));
    },
  };
  await pipeline.handle(request, context, sink, signal);
  // Nothing written: refused by the message rate (the caller answers with the 429).
  if (!out.headersSent && (await request.admitted) === false) return;
  if (!out.writableEnded && !out.destroyed) out.end();
}
