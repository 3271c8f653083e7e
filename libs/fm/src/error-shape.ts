import type { ModelStreamErrorCode } from './model-stream-error';

// Errors are read by shape, not instanceof: socket and fetch errors come from Node's own realm,
// which is not the caller's under test runners that sandbox modules.
interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

function asErrorLike(value: unknown): ErrorLike {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : {};
}

export function errorName(error: unknown): string | undefined {
  const { name } = asErrorLike(error);
  return typeof name === 'string' ? name : undefined;
}

export function errorMessage(error: unknown): string {
  const { message } = asErrorLike(error);
  return typeof message === 'string' && message !== '' ? message : String(error);
}

// A code quoted in a message: the AWS SDK turns a foreign-realm error into "AWS SDK error wrapper for
// Error: connect ECONNREFUSED …", keeping only the text.
const CODE_IN_MESSAGE = /\b(E[A-Z]{4,}|UND_ERR_[A-Z_]+)\b/;

/** Error codes along the cause chain (fetch wraps the socket error: TypeError 'terminated' ← UND_ERR_SOCKET). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const { code, message, cause } = asErrorLike(current);
    if (typeof code === 'string') codes.push(code);
    const quoted = typeof message === 'string' ? CODE_IN_MESSAGE.exec(message) : null;
    if (quoted !== null) codes.push(quoted[1] as string);
    current = cause;
  }
  return codes;
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/**
 * A failure of the connection rather than an answer from the service: a timeout, a service that
 * could not be reached (before the response started), or a stream cut off (after it started).
 */
export function transportFailure(error: unknown, responseStarted: boolean): ModelStreamErrorCode | undefined {
  const codes = errorCodes(error);
  if (errorName(error) === 'TimeoutError' || codes.some((c) => TIMEOUT_CODES.has(c))) return 'timeout';
  if (codes.some((c) => CONNECTION_CODES.has(c))) return responseStarted ? 'interrupted' : 'unavailable';
  return undefined;
}

/** The usual meaning of an HTTP status from a model endpoint. */
export function statusFailure(status: number): { code: ModelStreamErrorCode; retryable: boolean } | undefined {
  if (status === 429) return { code: 'throttled', retryable: true };
  if (status === 408 || status === 504) return { code: 'timeout', retryable: true };
  if (status === 502 || status === 503) return { code: 'unavailable', retryable: true };
  if (status >= 500) return { code: 'upstream', retryable: true };
  if (status === 401 || status === 403) return { code: 'upstream', retryable: false };
  if (status >= 400) return { code: 'bad_request', retryable: false };
  return undefined;
}
