import { randomUUID } from 'node:crypto';
import type { ChatContext, ChatPipeline } from '@manga-assist/chat';
import { CHAT_LIMITS, ChatHttpRequestSchema } from '@manga-assist/contracts';
import type { DoneFrame, ErrorCode, ErrorFrame } from '@manga-assist/contracts';
import { AuthError, bearerFromHeaders } from '@manga-assist/auth';
import type { AppServer } from '@manga-assist/server';
import type { CallerAuth } from './caller-auth';
import { createTokenJoiner } from './token-joiner';
import type { FairLimits } from './fair-limits';

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_json: 400,
  invalid_frame: 400,
  text_too_large: 413,
  frame_too_large: 413,
  busy: 429,
  rate_limited: 429,
  model_throttled: 503,
  unavailable: 503,
};

/**
 * POST /v1/chat: the same pipeline over HTTP. Server-Sent Events (`token`, `done`, `error`) by
 * default; one JSON answer with `Accept: application/json` (for curl, hey and scripts).
 */
export function registerChatHttp(server: AppServer, pipeline: ChatPipeline, auth: CallerAuth, options: { tokenFlushMs?: number; limits?: Pick<FairLimits, 'consume'> } = {}): void {
  const tokenFlushMs = options.tokenFlushMs ?? 16;
  server.post(
    '/v1/chat',
    {
      bodyLimit: CHAT_LIMITS.maxInboundFrameBytes,
      errorHandler: (error, _request, reply) => {
        const code: ErrorCode = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'frame_too_large' : error.statusCode === 400 ? 'invalid_json' : 'internal';
        const frame: ErrorFrame = { type: 'error', code, message: error.message };
        return reply.code(STATUS[code] ?? 500).send(frame);
      },
    },
    async (request, reply) => {
      const started = performance.now();
      // Who is asking comes first: without a valid token nothing else about the request is looked at.
      const claimed = (request.body as { sessionId?: unknown } | null | undefined)?.sessionId;
      let caller;
      try {
        caller = await auth.authenticate(bearerFromHeaders(request.headers), typeof claimed === 'string' ? claimed : undefined);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        return reply.code(error.status).send({ type: 'error', code: error.code, message: error.message } satisfies ErrorFrame);
      }
      const parsed = ChatHttpRequestSchema.safeParse(request.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const code: ErrorCode = issue.message.startsWith('text exceeds') ? 'text_too_large' : 'invalid_frame';
        return reply.code(STATUS[code]!).send({ type: 'error', code, message: `${issue.path.join('.') || 'body'}: ${issue.message}` } satisfies ErrorFrame);
      }
      const body = parsed.data;
      // The user's message rate (shared with the WebSocket and the OpenAI-compatible door), checked
      // while the pipeline starts on the question; over it: 429, nothing answered.
      const decision = options.limits?.consume('messages', caller.userId);
      const admitted = decision?.then((d) => d.allowed);
      const refuse = async () => {
        const allowed = await decision;
        if (!allowed || allowed.allowed) return false;
        const message = `too many messages for now; try again in ${Math.ceil(allowed.retryAfterMs / 1000)} s`;
        await reply.code(429).header('retry-after', String(Math.max(1, Math.ceil(allowed.retryAfterMs / 1000)))).send({ type: 'error', requestId: body.requestId, code: 'rate_limited', message, retryAfterMs: allowed.retryAfterMs } satisfies ErrorFrame);
        return true;
      };
      // AUTH_MODE=anonymous: a new session's token comes back in a header, to send as the bearer next time.
      if (caller.sessionToken) reply.header('x-session-token', caller.sessionToken);
      const requestId = body.requestId ?? randomUUID();
      // A session id made here names a session that cannot exist yet: nothing to read (session: null).
      const sessionId = caller.sessionId ?? body.sessionId;
      const context: ChatContext = sessionId === undefined
        ? { sessionId: randomUUID(), userId: caller.userId, connectionId: null, session: null }
        : { sessionId, userId: caller.userId, connectionId: null };
      const validateMs = performance.now() - started;
      const abort = new AbortController();
      // The response closing before it finished means the client went away: stop the model.
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });

      if ((request.headers.accept ?? '').includes('application/json')) {
        let text = '';
        let done: DoneFrame | undefined;
        let error: ErrorFrame | undefined;
        await pipeline.handle({ requestId, text: body.text, validateMs, admitted }, context, {
          token: (t) => void (text += t),
          done: (d) => void (done = d),
          error: (code, message) => void (error = { type: 'error', requestId, code, message }),
        }, abort.signal);
        if (await refuse()) return reply;
        if (error) return reply.code(STATUS[error.code] ?? 502).send(error);
        return reply.send({ requestId, sessionId: context.sessionId, text, done });
      }

      const out = reply.raw;
      // The stream starts with its first event: until then the request may still be refused with a 429.
      let streaming = false;
      const startStream = () => {
        if (streaming) return;
        streaming = true;
        reply.hijack();
        out.writeHead(200, { ...(caller.sessionToken ? { 'x-session-token': caller.sessionToken } : {}), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-session-id': context.sessionId });
      };
      const event = (name: string, data: unknown) => {
        startStream();
        out.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      // As over WebSocket: the first token at once, then joined, at most one event per TOKEN_FLUSH_MS.
      const tokens = createTokenJoiner((t) => event('token', { type: 'token', requestId, text: t }), tokenFlushMs);
      try {
        await pipeline.handle({ requestId, text: body.text, validateMs, admitted }, context, {
          token: (t) => tokens.token(t),
          done: (d) => {
            // The last tokens and `done` leave in one write.
            out.cork();
            tokens.flush();
            event('done', d);
            process.nextTick(() => out.uncork());
          },
          error: (code, message) => {
            tokens.flush();
            event('error', { type: 'error', requestId, code, message });
          },
        }, abort.signal);
      } catch (error) {
        request.log.error({ err: error, requestId }, 'chat request failed');
        tokens.flush();
        event('error', { type: 'error', requestId, code: 'internal', message: 'something went wrong on our side; please try again' });
      }
      if (!streaming && (await refuse())) return reply;
      startStream();
      out.end();
    },
  );
}
