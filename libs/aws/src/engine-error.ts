export type AwsService = 'DynamoDB' | 'Kinesis';
export type EngineFailure = 'unreachable' | 'timeout' | 'not-found' | 'error';

interface EngineErrorFields {
  service: AwsService;
  resource: string;
  endpoint: string;
  failure: EngineFailure;
  cause: unknown;
}

/** A readiness probe or setup call that failed, with what, where and why in the message. */
export class EngineUnavailableError extends Error {
  override readonly name = 'EngineUnavailableError';
  readonly service: AwsService;
  readonly resource: string;
  readonly endpoint: string;
  readonly failure: EngineFailure;

  constructor(fields: EngineErrorFields) {
    super(describe(fields), { cause: fields.cause });
    this.service = fields.service;
    this.resource = fields.resource;
    this.endpoint = fields.endpoint;
    this.failure = fields.failure;
  }
}

function describe({ service, resource, endpoint, failure, cause }: EngineErrorFields): string {
  switch (failure) {
    case 'not-found':
      return `${service} at ${endpoint}: ${resource} does not exist`;
    case 'timeout':
      return `${service} at ${endpoint} did not answer in time (${resource})`;
    case 'unreachable':
      return `${service} at ${endpoint} is unreachable (${resource}): ${causeText(cause)}`;
    default:
      return `${service} at ${endpoint} failed (${resource}): ${causeText(cause)}`;
  }
}

// Errors are read by shape, not instanceof: socket errors come from Node's own realm, which is
// not the caller's under test runners that sandbox modules (the SDK then wraps them as text).
interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  errors?: unknown;
}

function asErrorLike(value: unknown): ErrorLike {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : {};
}

export function errorName(error: unknown): string | undefined {
  const { name } = asErrorLike(error);
  return typeof name === 'string' ? name : undefined;
}

/** Node's connection errors can carry an empty message (AggregateError from happy eyeballs). */
export function causeText(cause: unknown): string {
  const { message, code, errors } = asErrorLike(cause);
  if (Array.isArray(errors) && errors.length > 0) return errors.map(causeText).join('; ');
  if (typeof message === 'string' && message !== '') {
    return message.replace(/^AWS SDK error wrapper for (\w*Error: )?/, '');
  }
  if (typeof code === 'string') return code;
  return errorName(cause) ?? String(cause);
}

const CONNECTION_CODES = /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)\b/;

export function classifyFailure(error: unknown): EngineFailure {
  const name = errorName(error);
  if (name === 'ResourceNotFoundException') return 'not-found';
  if (name === 'AbortError' || name === 'TimeoutError') return 'timeout';
  const { code, errors } = asErrorLike(error);
  const codes = [code, ...(Array.isArray(errors) ? errors.map((e) => asErrorLike(e).code) : [])];
  if (codes.some((c) => typeof c === 'string' && CONNECTION_CODES.test(c))) return 'unreachable';
  if (CONNECTION_CODES.test(causeText(error))) return 'unreachable';
  return 'error';
}
