import { AuthError, bearerFromHeaders } from '@manga-assist/auth';
import { AnalyzeRequestSchema, OperationIdSchema, TERMINAL_STATUSES } from '@manga-assist/contracts';
import type { AnalyzeHttpErrorCode, Operation } from '@manga-assist/contracts';
import type { AppServer } from '@manga-assist/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Analyses } from './analyses';
import { AnalyzeError } from './analyses';
import type { CallerAuth } from './caller-auth';
import type { FairLimits } from './fair-limits';

export interface AnalyzeHttpOptions {
  /** Seconds a client is asked to wait between polls while an analysis has not ended. */
  retryAfterSeconds?: number;
  /** Analyses per user per hour (every POST counts, a replayed one too), shared by every instance. */
  limits?: Pick<FairLimits, 'consume'>;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Long analyses as operations (the async request-reply pattern): `POST /v1/analyze` answers 202 at
 * once with the status monitor, `Operation-Location` (its absolute URL) and `Retry-After`;
 * `GET /v1/analyze/{id}` reads it, `DELETE /v1/analyze/{id}` cancels it. Only the signed-in user
 * who started an operation can see it.
 */
export function registerAnalyzeHttp(server: AppServer, analyses: Analyses, auth: CallerAuth, options: AnalyzeHttpOptions = {}): void {
  const retryAfter = String(options.retryAfterSeconds ?? 2);
  const fail = (reply: FastifyReply, status: number, code: AnalyzeHttpErrorCode, message: string, extra: object = {}) =>
    reply.code(status).send({ type: 'error', code, message, ...extra });

  /** The caller, or a typed 401/403/503 already sent. */
  const caller = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await auth.authenticate(bearerFromHeaders(request.headers));
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      await fail(reply, error.status, error.code as AnalyzeHttpErrorCode, error.message);
      return undefined;
    }
  };
  const monitor = (request: FastifyRequest, reply: FastifyReply, operation: Operation) => {
    if (!TERMINAL_STATUSES.includes(operation.status)) reply.header('retry-after', retryAfter);
    reply.header('operation-location', `${request.protocol}://${request.host}/v1/analyze/${operation.id}`);
    reply.header('cache-control', 'no-store');
    return operation;
  };
  const refused = (reply: FastifyReply, error: unknown) => {
    if (error instanceof AnalyzeError) return fail(reply, error.status, error.code, error.message, error.operation ? { operation: error.operation } : {});
    throw error;
  };
  const errorHandler = (error: { statusCode?: number; message: string }, _request: FastifyRequest, reply: FastifyReply) =>
    error.statusCode === 400 || error.statusCode === 415
      ? fail(reply, 400, 'invalid_json', 'the body must be a JSON object')
      : (() => {
          _request.log.error({ err: error }, 'analyze request failed');
          return fail(reply, 503, 'unavailable', 'the analysis could not be started right now; please try again');
        })();

  server.post('/v1/analyze', { bodyLimit: 32 * 1024, errorHandler }, async (request, reply) => {
    const who = await caller(request, reply);
    if (!who) return reply;
    const body = AnalyzeRequestSchema.safeParse(request.body);
    if (!body.success) {
      const issue = body.error.issues[0]!;
      return fail(reply, 400, 'invalid_request', `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const key = request.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
      return fail(reply, 400, 'invalid_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const allowed = await options.limits?.consume('analyses', who.userId);
    if (allowed && !allowed.allowed) {
      reply.header('retry-after', String(Math.max(1, Math.ceil(allowed.retryAfterMs / 1000))));
      return fail(reply, 429, 'rate_limited', `too many analyses for now; try again in ${Math.ceil(allowed.retryAfterMs / 1000)} s`, { retryAfterMs: allowed.retryAfterMs });
    }
    const sessionId = who.sessionId ?? body.data.sessionId;
    try {
      const { operation, created } = await analyses.start(who.userId, { ...body.data, ...(sessionId ? { sessionId } : {}) }, key);
      reply.code(202);
      if (!created) reply.header('idempotent-replayed', 'true');
      return monitor(request, reply, operation);
    } catch (error) {
      return refused(reply, error);
    }
  });

  const withOperation =
    (action: (userId: string, id: string) => Promise<Operation>) =>
    async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const who = await caller(request, reply);
      if (!who) return reply;
      const id = request.params.id;
      if (!OperationIdSchema.safeParse(id).success) return fail(reply, 404, 'not_found', `no analysis ${id.slice(0, 64)}`);
      try {
        return monitor(request, reply, await action(who.userId, id));
      } catch (error) {
        return refused(reply, error);
      }
    };
  server.get<{ Params: { id: string } }>('/v1/analyze/:id', { errorHandler }, withOperation((userId, id) => analyses.get(userId, id)));
  server.delete<{ Params: { id: string } }>('/v1/analyze/:id', { errorHandler }, withOperation((userId, id) => analyses.cancel(userId, id)));
}
