import { z } from 'zod';
import { IntentSchema, ModelProfileSchema } from './chat.schema';
import type { ModelProfile } from './chat.schema';

// The OpenAI-compatible door of the gateway: POST /v1/chat/completions and GET /v1/models, in the
// shapes OpenAI's SDKs, LibreChat and Open WebUI speak. Fields the gateway does not honour
// (temperature, max_tokens, tools, …) are accepted and ignored, as OpenAI-compatible servers do.

/** The models the door offers, and the profile each forces (undefined: the router decides). */
export const OPENAI_MODELS = {
  'manga-assist': undefined,
  'manga-assist-haiku': 'haiku',
  'manga-assist-sonnet': 'sonnet',
} as const satisfies Record<string, ModelProfile | undefined>;
export type OpenAiModelId = keyof typeof OPENAI_MODELS;
export const OPENAI_MODEL_IDS = Object.keys(OPENAI_MODELS) as OpenAiModelId[];

export function isOpenAiModelId(id: string): id is OpenAiModelId {
  return Object.hasOwn(OPENAI_MODELS, id);
}

/** The header that continues a stored session; the gateway sends it back on every answer. */
export const SESSION_HEADER = 'x-session-id';

// ── request ────────────────────────────────────────────────────────────────────────────────
/** A message's content: a string, or text parts (what clients send for multi-part messages). */
const TextContentSchema = z.union([z.string(), z.array(z.object({ type: z.literal('text'), text: z.string() }))], {
  error: 'content must be a string or an array of {"type":"text","text":…} parts (only text is supported)',
});

export const OpenAiMessageSchema = z.discriminatedUnion(
  'role',
  [
    z.object({ role: z.literal('system'), content: TextContentSchema }),
    z.object({ role: z.literal('developer'), content: TextContentSchema }),
    z.object({ role: z.literal('user'), content: TextContentSchema }),
    // An assistant message that only called tools has no content.
    z.object({ role: z.literal('assistant'), content: TextContentSchema.nullish() }),
    z.object({ role: z.literal('tool'), content: TextContentSchema }),
  ],
  { error: 'role must be one of system, developer, user, assistant, tool' },
);
export type OpenAiMessage = z.infer<typeof OpenAiMessageSchema>;

export const ChatCompletionRequestSchema = z.object({
  model: z.string().min(1, 'model is empty'),
  messages: z.array(OpenAiMessageSchema).min(1, 'messages must hold at least one message'),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  /** The end user, as OpenAI defines it: passed on as the user id (analytics, audit), not a session. */
  user: z.string().min(1).max(128).nullish(),
  n: z.literal(1, 'only n = 1 is supported').nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

export const SessionIdHeaderSchema = z.string().min(1, 'X-Session-Id is empty').max(128, 'X-Session-Id exceeds 128 characters');

// ── response ───────────────────────────────────────────────────────────────────────────────
export const OpenAiUsageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
});
export type OpenAiUsage = z.infer<typeof OpenAiUsageSchema>;

/** What the gateway adds to an answer: the facts of the `done` frame, and the session to continue. */
export const MangaAssistExtensionSchema = z.object({
  session_id: z.string(),
  request_id: z.string(),
  cached: z.boolean(),
  /** Which model answered: `haiku`, `sonnet`, or `cache` for an answer from the response cache. */
  model: z.union([ModelProfileSchema, z.literal('cache')]),
  intent: IntentSchema,
  /** Fallbacks taken for this answer (`sonnet-unavailable`, `search-fallback`, …); empty when none. */
  degraded: z.array(z.string()),
  /** Milliseconds per segment of the pipeline. */
  timings: z.record(z.string(), z.number()),
});
export type MangaAssistExtension = z.infer<typeof MangaAssistExtensionSchema>;

export const ChatCompletionSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({ role: z.literal('assistant'), content: z.string(), refusal: z.null() }),
      finish_reason: z.literal('stop'),
      logprobs: z.null(),
    }),
  ),
  /** Absent only when the model reported no token counts. */
  usage: OpenAiUsageSchema.optional(),
  manga_assist: MangaAssistExtensionSchema,
});
export type ChatCompletion = z.infer<typeof ChatCompletionSchema>;

export const ChatCompletionChunkSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.object({ role: z.literal('assistant').optional(), content: z.string().optional() }),
      finish_reason: z.literal('stop').nullable(),
      logprobs: z.null(),
    }),
  ),
  /** With `stream_options.include_usage`: null on every chunk but the last, which has no choices. */
  usage: OpenAiUsageSchema.nullish(),
  /** On the chunk that carries `finish_reason`. */
  manga_assist: MangaAssistExtensionSchema.optional(),
});
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunkSchema>;

export const OpenAiModelSchema = z.object({
  id: z.string(),
  object: z.literal('model'),
  created: z.number().int(),
  owned_by: z.string(),
});
export type OpenAiModel = z.infer<typeof OpenAiModelSchema>;

export const OpenAiModelListSchema = z.object({ object: z.literal('list'), data: z.array(OpenAiModelSchema) });
export type OpenAiModelList = z.infer<typeof OpenAiModelListSchema>;

// ── errors ─────────────────────────────────────────────────────────────────────────────────
export const OPENAI_ERROR_TYPES = ['invalid_request_error', 'rate_limit_error', 'server_error'] as const;

/** OpenAI's error body; in a stream, the data of the `error` event that ends it. */
export const OpenAiErrorBodySchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.enum(OPENAI_ERROR_TYPES),
    /** The gateway's error code: an OpenAI one (`model_not_found`, …) or the chat protocol's (`busy`, …). */
    code: z.string().nullable(),
    /** The request field at fault, e.g. `messages[0].content`; null when none. */
    param: z.string().nullable(),
    /** rate_limit_exceeded: milliseconds until the request would be taken (also `Retry-After`, in seconds). */
    retry_after_ms: z.number().int().nonnegative().optional(),
  }),
});
export type OpenAiErrorBody = z.infer<typeof OpenAiErrorBodySchema>;
