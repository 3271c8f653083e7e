import type { ErrorCode, OpenAiErrorBody } from '@manga-assist/contracts';
import { CHAT_LIMITS } from '@manga-assist/contracts';
import type { z } from 'zod';

type ErrorType = OpenAiErrorBody['error']['type'];

/** A failure of the OpenAI-compatible door, with the status and body OpenAI's clients expect. */
export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string | null,
    message: string,
    readonly param: string | null = null,
    /** When the caller may try again, if known (a fair limit); otherwise busy and unavailable say 1 s. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  body(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param, ...(this.retryAfterMs === undefined ? {} : { retry_after_ms: this.retryAfterMs }) } };
  }

  /** Busy and unavailable answers say when to try again (OpenAI's SDKs wait that long before retrying). */
  headers(): Record<string, string> {
    if (this.retryAfterMs !== undefined) return { 'retry-after': String(Math.max(1, Math.ceil(this.retryAfterMs / 1000))) };
    return this.status === 429 || this.status === 503 ? { 'retry-after': '1' } : {};
  }
}

/** Over the user's message rate: OpenAI's own 429 (`rate_limit_exceeded`), which its SDKs retry after Retry-After. */
export const rateLimitExceeded = (retryAfterMs: number) =>
  new OpenAiError(429, 'rate_limit_error', 'rate_limit_exceeded', `Rate limit reached for messages; try again in ${Math.ceil(retryAfterMs / 1000)} s`, null, retryAfterMs);

export const invalidRequest = (code: string, message: string, param: string | null = null) => new OpenAiError(400, 'invalid_request_error', code, message, param);

export const modelNotFound = (model: string) =>
  new OpenAiError(404, 'invalid_request_error', 'model_not_found', `The model '${model}' does not exist; GET /v1/models lists the models offered`, 'model');

/** `messages[0].content`, as OpenAI names a field. */
export function paramOf(path: readonly PropertyKey[]): string | null {
  let param = '';
  for (const key of path) param += typeof key === 'number' ? `[${key}]` : `${param === '' ? '' : '.'}${String(key)}`;
  return param === '' ? null : param;
}

/** The first problem zod found in a request body, as an invalid-request error naming the field. */
export function fromZodIssue(issue: z.core.$ZodIssue, input: unknown): OpenAiError {
  const param = paramOf(issue.path);
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
    return invalidRequest('missing_required_parameter', `Missing required parameter: '${param ?? 'body'}'`, param);
  }
  return invalidRequest(issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value', `${param ?? 'body'}: ${issue.message}`, param);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const PIPELINE_ERRORS: Partial<Record<ErrorCode, [number, ErrorType]>> = {
  busy: [429, 'rate_limit_error'],
  model_throttled: [429, 'rate_limit_error'],
  unavailable: [503, 'server_error'],
  model_error: [502, 'server_error'],
  stream_interrupted: [502, 'server_error'],
};

/** A pipeline error (the chat protocol's codes) as the OpenAI error of the same meaning. */
export function fromPipelineError(code: ErrorCode, message: string): OpenAiError {
  const [status, type] = PIPELINE_ERRORS[code] ?? [500, 'server_error'];
  return new OpenAiError(status, type, code, message);
}

export const internalError = () => new OpenAiError(500, 'server_error', 'internal', 'something went wrong on our side; please try again');

/** Fastify's own failures on these routes (an unreadable or oversized body) in OpenAI's shape. */
export function fromFastifyError(caught: unknown): OpenAiError {
  if (caught instanceof OpenAiError) return caught;
  const error = (typeof caught === 'object' && caught !== null ? caught : {}) as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new OpenAiError(413, 'invalid_request_error', 'request_too_large', `the request body exceeds ${CHAT_LIMITS.maxInboundFrameBytes} bytes`);
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new OpenAiError(error.statusCode, 'invalid_request_error', 'invalid_request', String(error.message));
  }
  return internalError();
}
