import type { ModelProfile } from '@manga-assist/contracts';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { abortReason, linkedAbortController, throwIfAborted } from './abort';
import { errorMessage, statusFailure, transportFailure } from './error-shape';
import type { ModelEvent, ModelProvider, ModelProfiles, ModelRequest, ModelUsage } from './model-provider';
import type { ModelStreamErrorCode } from './model-stream-error';
import { ModelStreamError } from './model-stream-error';

export interface OpenAICompatibleProviderOptions {
  /** The server's OpenAI-style API root, e.g. http://127.0.0.1:11434/v1 for Ollama. */
  baseURL: string;
  /** Local servers ignore it; the client still sends one. */
  apiKey?: string;
  /** Served model names per profile, e.g. { haiku: 'llama3.2:1b', sonnet: 'llama3.1:8b' }. */
  models: ModelProfiles<string>;
  /** Default output cap; a request's own maxTokens wins. */
  maxTokens?: number;
  /** Retries inside the client; 0 by default, since retries belong to the caller's resilience policy. */
  maxRetries?: number;
  /** Time allowed to get the response started. */
  timeoutMs?: number;
  /** Ask for a usage chunk at the end (stream_options.include_usage); servers that ignore it still work. */
  includeUsage?: boolean;
}

// OpenAI's finish reasons in Bedrock's vocabulary, so callers see one set of stop reasons.
const STOP_REASONS: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  content_filter: 'content_filtered',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
};

/** Ollama, vLLM, llama.cpp and other servers speaking OpenAI's streaming chat completions. */
export function createOpenAICompatibleProvider(options: OpenAICompatibleProviderOptions): ModelProvider {
  // Every setting is passed explicitly: the client would otherwise fill the gaps from OPENAI_* variables.
  const client = new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey ?? 'not-needed',
    organization: null,
    project: null,
    webhookSecret: null,
    maxRetries: options.maxRetries ?? 0,
    logLevel: 'off',
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });
  return { name: 'openai', stream: (req) => streamChat(client, options, req) };
}

async function* streamChat(client: OpenAI, options: OpenAICompatibleProviderOptions, req: ModelRequest): AsyncGenerator<ModelEvent> {
  const { signal, profile } = req;
  throwIfAborted(signal);
  const messages: ChatCompletionMessageParam[] = req.system === '' ? [] : [{ role: 'system', content: req.system }];
  for (const m of req.messages) messages.push({ role: m.role, content: m.text });
  const maxTokens = req.maxTokens ?? options.maxTokens;

  let responseStarted = false;
  let tokensSent = 0;
  let stopReason: string | undefined;
  let usage: ModelUsage | undefined;
  const upstream = linkedAbortController(signal);
  let settled = false;
  try {
    const stream = await client.chat.completions.create(
      {
        model: options.models[profile],
        messages,
        stream: true,
        ...(options.includeUsage === false ? {} : { stream_options: { include_usage: true } }),
        ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
      },
      { signal: upstream.controller.signal },
    );
    responseStarted = true;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      const text = choice?.delta?.content;
      if (typeof text === 'string' && text !== '') {
        tokensSent++;
        yield { type: 'token', text };
      }
      if (choice?.finish_reason) stopReason = STOP_REASONS[choice.finish_reason] ?? choice.finish_reason;
      if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
    }
    settled = true;
  } catch (error) {
    settled = true;
    if (signal?.aborted) throw abortReason(signal);
    if (stopReason === undefined) throw toModelStreamError(error, profile, tokensSent, responseStarted);
  } finally {
    upstream.release();
    // The consumer stopped reading early: close the connection rather than leave it streaming.
    if (!settled) upstream.controller.abort();
  }
  // The client ends the iteration quietly on abort, and when a server closes without a finish_reason.
  if (signal?.aborted) throw abortReason(signal);
  if (stopReason === undefined) {
    throw failure('interrupted', 'stream ended without a finish_reason', profile, tokensSent);
  }
  yield { type: 'end', stopReason, ...(usage === undefined ? {} : { usage }) };
}

function toModelStreamError(error: unknown, profile: ModelProfile, tokensSent: number, responseStarted: boolean): ModelStreamError {
  if (error instanceof ModelStreamError) return error;
  if (error instanceof APIConnectionTimeoutError) return failure('timeout', errorMessage(error), profile, tokensSent, error);
  if (error instanceof APIConnectionError) {
    return failure(responseStarted ? 'interrupted' : 'unavailable', connectionMessage(error), profile, tokensSent, error);
  }
  if (error instanceof APIError) {
    const byStatus = error.status === undefined ? undefined : statusFailure(error.status);
    if (byStatus !== undefined) return failure(byStatus.code, errorMessage(error), profile, tokensSent, error, byStatus.retryable);
    // An error event inside the stream: the server gave up on this answer.
    return failure('upstream', errorMessage(error), profile, tokensSent, error, true);
  }
  const transport = transportFailure(error, responseStarted);
  if (transport !== undefined) return failure(transport, errorMessage(error), profile, tokensSent, error);
  return failure(responseStarted ? 'interrupted' : 'upstream', errorMessage(error), profile, tokensSent, error);
}

/** "Connection error." says little; the fetch failure underneath says which. */
function connectionMessage(error: APIConnectionError): string {
  const cause: unknown = error.cause;
  return cause === undefined ? errorMessage(error) : `${errorMessage(error)} ${errorMessage(cause)}`;
}

function failure(
  code: ModelStreamErrorCode,
  message: string,
  profile: ModelProfile,
  tokensSent: number,
  cause?: unknown,
  retryable?: boolean,
): ModelStreamError {
  return new ModelStreamError({ code, message, provider: 'openai', profile, tokensSent, cause, retryable });
}
