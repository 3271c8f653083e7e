import type { BedrockRuntimeClient, ConverseStreamCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import type { ModelProfile } from '@manga-assist/contracts';
import { abortReason, linkedAbortController, throwIfAborted } from './abort';
import { errorMessage, errorName, statusFailure, transportFailure } from './error-shape';
import type { ModelEvent, ModelProvider, ModelProfiles, ModelRequest, ModelUsage } from './model-provider';
import type { ModelStreamErrorCode } from './model-stream-error';
import { ModelStreamError } from './model-stream-error';

export interface BedrockModelProviderOptions {
  client: BedrockRuntimeClient;
  /** Bedrock model (or inference profile) ids per profile. */
  modelIds: ModelProfiles<string>;
  /** Default output cap; a request's own maxTokens wins. */
  maxTokens: number;
  temperature?: number;
}

/** Bedrock's exceptions, by name, as a failure kind and whether another attempt may succeed. */
const EXCEPTIONS: Record<string, [ModelStreamErrorCode, boolean]> = {
  ThrottlingException: ['throttled', true],
  ServiceQuotaExceededException: ['throttled', true],
  ModelTimeoutException: ['timeout', true],
  ServiceUnavailableException: ['unavailable', true],
  ModelNotReadyException: ['unavailable', true],
  ModelStreamErrorException: ['interrupted', true],
  InternalServerException: ['upstream', true],
  ModelErrorException: ['upstream', false],
  AccessDeniedException: ['upstream', false],
  ValidationException: ['bad_request', false],
  ResourceNotFoundException: ['bad_request', false],
  ConflictException: ['bad_request', false],
};

/** Claude on Bedrock through ConverseStream: one request, text deltas as tokens, messageStop + metadata as end. */
export function createBedrockModelProvider(options: BedrockModelProviderOptions): ModelProvider {
  return { name: 'bedrock', stream: (req) => streamConverse(options, req) };
}

async function* streamConverse(options: BedrockModelProviderOptions, req: ModelRequest): AsyncGenerator<ModelEvent> {
  const { signal, profile } = req;
  throwIfAborted(signal);
  const input: ConverseStreamCommandInput = {
    modelId: options.modelIds[profile],
    messages: req.messages.map((m) => ({ role: m.role, content: [{ text: m.text }] })),
    // Bedrock rejects an empty system block, so a request without one sends none.
    ...(req.system === '' ? {} : { system: [{ text: req.system }] }),
    inferenceConfig: {
      maxTokens: req.maxTokens ?? options.maxTokens,
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    },
  };

  let responseStarted = false;
  let tokensSent = 0;
  let stopReason: string | undefined;
  let usage: ModelUsage | undefined;
  const upstream = linkedAbortController(signal);
  let settled = false;
  try {
    const output = await options.client.send(new ConverseStreamCommand(input), { abortSignal: upstream.controller.signal });
    responseStarted = true;
    if (output.stream === undefined) throw failure('upstream', 'response has no event stream', profile, 0);
    for await (const event of output.stream) {
      const text = event.contentBlockDelta?.delta?.text;
      if (text !== undefined && text !== '') {
        tokensSent++;
        yield { type: 'token', text };
      } else if (event.messageStop !== undefined) {
        stopReason = event.messageStop.stopReason ?? 'end_turn';
      } else if (event.metadata?.usage !== undefined) {
        usage = { inputTokens: event.metadata.usage.inputTokens ?? 0, outputTokens: event.metadata.usage.outputTokens ?? 0 };
      }
    }
    settled = true;
  } catch (error) {
    settled = true;
    if (signal?.aborted) throw abortReason(signal);
    // Cut off after messageStop (only the metadata lost): the answer itself is whole.
    if (stopReason === undefined) throw toModelStreamError(error, profile, tokensSent, responseStarted);
  } finally {
    upstream.release();
    // The consumer stopped reading early: close the connection rather than leave it streaming.
    // Only then: aborting after a full read could reach a socket already back in the keep-alive pool.
    if (!settled) upstream.controller.abort();
  }
  // The SDK ends the iteration quietly when the connection closes cleanly between frames.
  if (stopReason === undefined) {
    throw failure('interrupted', 'event stream ended before messageStop', profile, tokensSent);
  }
  yield { type: 'end', stopReason, ...(usage === undefined ? {} : { usage }) };
}

function toModelStreamError(error: unknown, profile: ModelProfile, tokensSent: number, responseStarted: boolean): ModelStreamError {
  if (error instanceof ModelStreamError) return error;
  const known = EXCEPTIONS[errorName(error) ?? ''];
  if (known !== undefined) return failure(known[0], errorMessage(error), profile, tokensSent, error, known[1]);
  const transport = transportFailure(error, responseStarted);
  if (transport !== undefined) return failure(transport, errorMessage(error), profile, tokensSent, error);
  const { status, fault } = serviceShape(error);
  const byStatus = status === undefined ? undefined : statusFailure(status);
  if (byStatus !== undefined) return failure(byStatus.code, errorMessage(error), profile, tokensSent, error, byStatus.retryable);
  if (fault === 'server') return failure('upstream', errorMessage(error), profile, tokensSent, error, true);
  if (fault === 'client') return failure('bad_request', errorMessage(error), profile, tokensSent, error);
  // Anything else once the stream was flowing (e.g. "Truncated event message received.") broke it.
  return failure(responseStarted ? 'interrupted' : 'upstream', errorMessage(error), profile, tokensSent, error);
}

/** The SDK's own fields on a service exception: the HTTP status and which side it blames. */
function serviceShape(error: unknown): { status?: number; fault?: unknown } {
  if (typeof error !== 'object' || error === null) return {};
  const { $metadata, $fault } = error as { $metadata?: { httpStatusCode?: unknown }; $fault?: unknown };
  const status = $metadata?.httpStatusCode;
  return { status: typeof status === 'number' ? status : undefined, fault: $fault };
}

function failure(
  code: ModelStreamErrorCode,
  message: string,
  profile: ModelProfile,
  tokensSent: number,
  cause?: unknown,
  retryable?: boolean,
): ModelStreamError {
  return new ModelStreamError({ code, message, provider: 'bedrock', profile, tokensSent, cause, retryable });
}
