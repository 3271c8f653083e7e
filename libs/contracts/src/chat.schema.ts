import { z } from 'zod';
import { AnalyzeFrameSchema } from './analysis.schema';
import { DemographicSchema, ProductFiltersSchema, ProductSummarySchema } from './catalog.schema';

/** Limits of the chat wire protocol, in bytes (UTF-8). */
export const CHAT_LIMITS = {
  maxTextBytes: 4 * 1024,
  maxInboundFrameBytes: 32 * 1024,
  maxOutboundFrameBytes: 128 * 1024,
} as const;

export const INTENTS = [
  'trending',
  'new_releases',
  'genre_browse',
  'title_lookup',
  'recommendation',
  'comparison',
  'order_status',
  'chit_chat',
] as const;
export const IntentSchema = z.enum(INTENTS);
export type Intent = z.infer<typeof IntentSchema>;

/** Model profiles a request can be routed to; `cache` marks an answer served from the response cache. */
export const MODEL_PROFILES = ['haiku', 'sonnet'] as const;
export const ModelProfileSchema = z.enum(MODEL_PROFILES);
export type ModelProfile = z.infer<typeof ModelProfileSchema>;

/** What the in-process classifier makes of one message. */
export const ClassificationSchema = z.object({
  intent: IntentSchema,
  complexity: z.enum(['simple', 'complex']),
  risk: z.enum(['low', 'high']),
  filters: ProductFiltersSchema,
  /** Catalog ids of titles the message names, in the order it names them. */
  titleIds: z.array(z.string()),
});
export type Classification = z.infer<typeof ClassificationSchema>;

// ── client → server ────────────────────────────────────────────────────────────────────────
const requestId = z.string().min(1).max(64).regex(/^[\w.-]+$/, 'letters, digits, _ . - only');

export const SendMessageFrameSchema = z.object({
  action: z.literal('sendMessage'),
  requestId,
  text: z
    .string()
    .min(1, 'text is empty')
    .refine((t) => t.trim().length > 0, 'text is blank')
    .refine((t) => Buffer.byteLength(t, 'utf8') <= CHAT_LIMITS.maxTextBytes, `text exceeds ${CHAT_LIMITS.maxTextBytes} bytes`),
});
export type SendMessageFrame = z.infer<typeof SendMessageFrameSchema>;

export const PingFrameSchema = z.object({ action: z.literal('ping'), requestId: requestId.optional() });

/** What a user prefers: recommendations put these demographics and this budget first. */
export const PreferencesSchema = z.object({
  demographics: z.array(DemographicSchema).max(5).optional(),
  maxPriceJpy: z.number().int().positive().optional(),
  language: z.enum(['ja', 'en']).optional(),
});
export type Preferences = z.infer<typeof PreferencesSchema>;

/** A change to preferences: a field left out stays as it is, `null` clears it. */
export const PreferencesPatchSchema = z.object({
  demographics: PreferencesSchema.shape.demographics.unwrap().nullable().optional(),
  maxPriceJpy: PreferencesSchema.shape.maxPriceJpy.unwrap().nullable().optional(),
  language: PreferencesSchema.shape.language.unwrap().nullable().optional(),
});
export type PreferencesPatch = z.infer<typeof PreferencesPatchSchema>;

/** Changes the session's preferences (and the signed-in user's); answered with a `preferences` frame. */
export const SetPreferencesFrameSchema = z.object({ action: z.literal('setPreferences'), requestId, preferences: PreferencesPatchSchema });

/** Actions the gateway routes on, API-Gateway style (`$request.body.action`). */
export const CLIENT_ACTIONS = ['sendMessage', 'ping', 'setPreferences', 'analyze'] as const;
export const ClientFrameSchema = z.discriminatedUnion('action', [SendMessageFrameSchema, PingFrameSchema, SetPreferencesFrameSchema, AnalyzeFrameSchema]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

/** The HTTP form of sendMessage: POST /v1/chat. */
export const ChatHttpRequestSchema = z.object({
  sessionId: z.string().min(1).max(128).optional(),
  requestId: requestId.optional(),
  text: SendMessageFrameSchema.shape.text,
});
export type ChatHttpRequest = z.infer<typeof ChatHttpRequestSchema>;

// ── server → client ────────────────────────────────────────────────────────────────────────
export const ERROR_CODES = [
  'invalid_json',
  'binary_not_supported',
  'frame_too_large',
  'unknown_action',
  'invalid_frame',
  'text_too_large',
  'busy',
  'model_throttled',
  'model_error',
  'stream_interrupted',
  'unavailable',
  'internal',
  'unauthorized',
  'token_expired',
  'forbidden',
  // Fair limits: over a per-user or per-IP rate (retryAfterMs says when to try again), too many open
  // connections, or a WebSocket from a page whose Origin is not allowed.
  'rate_limited',
  'too_many_connections',
  'origin_not_allowed',
  /** A frame that could be neither split nor trimmed to the 128 KB outbound limit, sent in its place. */
  'response_too_large',
] as const;
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ReadyFrameSchema = z.object({
  type: z.literal('ready'),
  connectionId: z.string(),
  sessionId: z.string(),
  /** AUTH_MODE=anonymous: the signed token that reopens this session (the session id alone does not). */
  sessionToken: z.string().optional(),
});
export const TokenFrameSchema = z.object({ type: z.literal('token'), requestId: z.string(), text: z.string() });
export const DoneFrameSchema = z.object({
  type: z.literal('done'),
  requestId: z.string(),
  cached: z.boolean(),
  model: z.union([ModelProfileSchema, z.literal('cache')]),
  intent: IntentSchema,
  /** Milliseconds per segment of this request (validate, intent, cache-lookup, …). */
  timings: z.record(z.string(), z.number()),
  /** Fallbacks taken for this answer, e.g. ["sonnet→haiku"]; absent when none. */
  degraded: z.array(z.string()).optional(),
  /**
   * The products the answer was grounded on, in the order given to the model (possibly none).
   * Absent on a cached answer: the cache keeps the text, not what it was grounded on.
   */
  products: z.array(ProductSummarySchema).optional(),
  /** Tokens the model reported for this answer; absent for a cached answer or a model that reports none. */
  usage: z.object({ inputTokens: z.number().int().nonnegative(), outputTokens: z.number().int().nonnegative() }).optional(),
  /** Products left off the end of `products` to keep this frame within the 128 KB outbound limit; absent when none were. */
  productsTrimmed: z.number().int().positive().optional(),
});
export const ErrorFrameSchema = z.object({
  type: z.literal('error'),
  requestId: z.string().optional(),
  code: ErrorCodeSchema,
  message: z.string(),
  /** rate_limited, too_many_connections: milliseconds until the same request would be taken. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export const RevisionFrameSchema = z.object({ type: z.literal('revision'), requestId: z.string(), text: z.string() });
export const PongFrameSchema = z.object({ type: z.literal('pong'), requestId: z.string().optional() });
/** The preferences now in force after a setPreferences. */
export const PreferencesFrameSchema = z.object({ type: z.literal('preferences'), requestId: z.string(), preferences: PreferencesSchema });

/**
 * The server is going away (a drain before shutdown): nothing more will be answered on this
 * connection; reconnect after `retryAfterMs` (same URL, `?sessionId=` to continue the session).
 * The socket then closes with 1001.
 */
export const ReconnectFrameSchema = z.object({
  type: z.literal('reconnect'),
  retryAfterMs: z.number().int().nonnegative(),
  message: z.string(),
});

export const ServerFrameSchema = z.discriminatedUnion('type', [
  ReadyFrameSchema,
  TokenFrameSchema,
  DoneFrameSchema,
  ErrorFrameSchema,
  RevisionFrameSchema,
  PongFrameSchema,
  PreferencesFrameSchema,
  ReconnectFrameSchema,
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;
export type DoneFrame = z.infer<typeof DoneFrameSchema>;
export type ErrorFrame = z.infer<typeof ErrorFrameSchema>;
export type ReconnectFrame = z.infer<typeof ReconnectFrameSchema>;

// ── conversation ───────────────────────────────────────────────────────────────────────────
/** One turn of a conversation as stored and as sent to the model. */
export const ChatTurnSchema = z.object({
  /** Position in the session, from 1; a late or repeated delivery of the same seq changes nothing. */
  seq: z.number().int().positive(),
  requestId: z.string(),
  user: z.string(),
  assistant: z.string(),
  intent: IntentSchema,
  at: z.iso.datetime(),
});
export type ChatTurn = z.infer<typeof ChatTurnSchema>;
