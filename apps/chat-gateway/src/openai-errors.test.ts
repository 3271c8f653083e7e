import { ChatCompletionRequestSchema } from '@manga-assist/contracts';
import { OpenAiError, fromFastifyError, fromPipelineError, fromZodIssue, rateLimitExceeded } from './openai-errors';

const firstIssue = (body: unknown) => {
  const parsed = ChatCompletionRequestSchema.safeParse(body);
  if (parsed.success) throw new Error('expected the body to be refused');
  return fromZodIssue(parsed.error.issues[0]!, body);
};

describe('OpenAI errors', () => {
  it('names a missing field as OpenAI does', () => {
    expect(firstIssue({ model: 'manga-assist' }).body()).toEqual({
      error: { message: "Missing required parameter: 'messages'", type: 'invalid_request_error', code: 'missing_required_parameter', param: 'messages' },
    });
  });

  it('names a nested field with its index', () => {
    const error = firstIssue({ model: 'manga-assist', messages: [{ role: 'user', content: 'hi' }, { role: 'user', content: 42 }] });
    expect(error).toMatchObject({ status: 400, code: 'invalid_value', param: 'messages[1].content' });
    expect(error.message).toMatch(/^messages\[1\]\.content: content must be a string or an array/);
  });

  it('answers a user over their message rate with OpenAI’s rate_limit_exceeded, Retry-After rounded up to whole seconds', () => {
    const error = rateLimitExceeded(41_250);
    expect(error.status).toBe(429);
    expect(error.headers()).toEqual({ 'retry-after': '42' });
    expect(error.body()).toEqual({
      error: { message: 'Rate limit reached for messages; try again in 42 s', type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null, retry_after_ms: 41_250 },
    });
    expect(rateLimitExceeded(20).headers()).toEqual({ 'retry-after': '1' });
  });

  it.each([
    ['busy', 429, 'rate_limit_error'],
    ['model_throttled', 429, 'rate_limit_error'],
    ['unavailable', 503, 'server_error'],
    ['model_error', 502, 'server_error'],
    ['stream_interrupted', 502, 'server_error'],
    ['internal', 500, 'server_error'],
  ] as const)('gives the pipeline error %s the status %i', (code, status, type) => {
    const error = fromPipelineError(code, 'the model could not answer');
    expect(error).toMatchObject({ status, type, code, param: null });
    expect(error.headers()).toEqual(status === 429 || status === 503 ? { 'retry-after': '1' } : {});
  });

  it("turns Fastify's own failures into OpenAI errors, and hides what it does not know", () => {
    expect(fromFastifyError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'Request body is too large' })).toMatchObject({
      status: 413,
      type: 'invalid_request_error',
      code: 'request_too_large',
    });
    const own = new OpenAiError(404, 'invalid_request_error', 'model_not_found', 'no such model', 'model');
    expect(fromFastifyError(own)).toBe(own);
    const unknown = fromFastifyError(new Error('secret connection string in here'));
    expect(unknown).toMatchObject({ status: 500, type: 'server_error', code: 'internal' });
    expect(unknown.message).not.toContain('secret');
  });
});
