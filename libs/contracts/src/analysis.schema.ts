import { z } from 'zod';
import { ProductSummarySchema } from './catalog.schema';
import { LineageSchema } from './lineage.schema';

// Long analyses run as jobs (seed 003, scenario 1: API Gateway's 29-second limit): POST answers 202
// with a status monitor at once, a BullMQ worker in the post-processor runs the model with no time
// limit, progress and tokens reach a waiting WebSocket through Redis pub/sub, and polling reads the
// operation record in DynamoDB.

/**
 * The queue analyses run on. It lives in Redis next to its jobs: NEVER rename it. Exported here so
 * whatever pauses model-calling queues (the cost breaker) can name it without depending on the queue lib.
 */
export const ANALYSIS_QUEUE = 'analysis' as const;

export const ANALYSIS_KINDS = ['compare', 'series-deep-dive'] as const;
export const AnalysisKindSchema = z.enum(ANALYSIS_KINDS);
export type AnalysisKind = z.infer<typeof AnalysisKindSchema>;

export const ANALYSIS_LIMITS = {
  maxTitles: 5,
  maxTitleChars: 200,
  maxQuestionChars: 2000,
  /** How long an operation can be read after it was created. */
  retentionSeconds: 24 * 3600,
} as const;

/** Operation ids: UUIDs (from an Idempotency-Key, a UUID derived from the user and the key). */
export const OperationIdSchema = z.uuid();

const title = z.string().trim().min(1, 'a title may not be empty').max(ANALYSIS_LIMITS.maxTitleChars, `a title is at most ${ANALYSIS_LIMITS.maxTitleChars} characters`);

/** `POST /v1/analyze` body, and the fields of the WebSocket `analyze` action. */
export const AnalyzeRequestSchema = z
  .object({
    kind: AnalysisKindSchema,
    titles: z.array(title).min(1, 'name at least one title').max(ANALYSIS_LIMITS.maxTitles, `at most ${ANALYSIS_LIMITS.maxTitles} titles`),
    question: z.string().trim().min(1).max(ANALYSIS_LIMITS.maxQuestionChars, `question is at most ${ANALYSIS_LIMITS.maxQuestionChars} characters`).optional(),
    sessionId: z.string().min(1).max(128).optional(),
  })
  .strict()
  .superRefine((req, ctx) => {
    if (req.kind === 'compare' && req.titles.length < 2) ctx.addIssue({ code: 'custom', path: ['titles'], message: 'compare needs at least two titles' });
  });
export type AnalyzeRequest = z.infer<typeof AnalyzeRequestSchema>;

/** `{"action":"analyze","requestId",…}`: an analysis over the WebSocket, streamed to the end with no time limit. */
export const AnalyzeFrameSchema = z.object({
  action: z.literal('analyze'),
  requestId: z.string().min(1).max(64).regex(/^[\w.-]+$/, 'letters, digits, _ . - only'),
  kind: AnalysisKindSchema,
  titles: z.array(z.unknown()),
  question: z.unknown().optional(),
  sessionId: z.unknown().optional(),
});
export type AnalyzeFrame = z.infer<typeof AnalyzeFrameSchema>;

export const OPERATION_STATUSES = ['NotStarted', 'Running', 'Succeeded', 'Failed', 'Canceled'] as const;
export const OperationStatusSchema = z.enum(OPERATION_STATUSES);
export type OperationStatus = z.infer<typeof OperationStatusSchema>;
export const TERMINAL_STATUSES: readonly OperationStatus[] = ['Succeeded', 'Failed', 'Canceled'];

export const AnalysisProgressSchema = z.object({
  /** 0–100, never going back within one attempt. */
  percent: z.number().int().min(0).max(100),
  stage: z.enum(['queued', 'started', 'writing', 'finished']),
  /** Tokens the model has written so far in this attempt. */
  tokens: z.number().int().nonnegative(),
});
export type AnalysisProgress = z.infer<typeof AnalysisProgressSchema>;

export const ANALYSIS_ERROR_CODES = ['model_error', 'model_throttled', 'timeout', 'worker_lost', 'internal'] as const;
export const AnalysisErrorSchema = z.object({ code: z.enum(ANALYSIS_ERROR_CODES), message: z.string() });
export type AnalysisError = z.infer<typeof AnalysisErrorSchema>;

export const AnalysisResultSchema = z.object({
  text: z.string(),
  model: z.literal('sonnet'),
  stopReason: z.string(),
  usage: z.object({ inputTokens: z.number().int().nonnegative(), outputTokens: z.number().int().nonnegative() }).optional(),
  /** The catalog rows the analysis was grounded on. */
  products: z.array(ProductSummarySchema),
});
export type AnalysisResult = z.infer<typeof AnalysisResultSchema>;

/** The status monitor: the body of POST (202), GET and DELETE on `/v1/analyze/{id}`. */
export const OperationSchema = z.object({
  id: OperationIdSchema,
  kind: AnalysisKindSchema,
  titles: z.array(z.string()),
  question: z.string().optional(),
  sessionId: z.string().optional(),
  status: OperationStatusSchema,
  progress: AnalysisProgressSchema,
  /** Attempts the worker has started (a worker killed mid-run leaves the analysis run once more). */
  attempts: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** When the record is deleted (24 h after it was created). */
  expiresAt: z.iso.datetime(),
  result: AnalysisResultSchema.optional(),
  error: AnalysisErrorSchema.optional(),
});
export type Operation = z.infer<typeof OperationSchema>;

/** The job the gateway hands to the post-processor's `analysis` queue (its id is the operation id). */
export const AnalysisJobSchema = z
  .object({
    operationId: OperationIdSchema,
    userId: z.string().min(1),
    kind: AnalysisKindSchema,
    titles: z.array(z.string()).min(1),
    question: z.string().optional(),
    /** Catalog rows found for the titles at request time; the model is grounded on these only. */
    products: z.array(ProductSummarySchema),
    language: z.enum(['ja', 'en']),
    requestedAt: z.iso.datetime(),
  })
  .extend(LineageSchema.shape);
export type AnalysisJob = z.infer<typeof AnalysisJobSchema>;
export type AnalysisJobInput = z.input<typeof AnalysisJobSchema>;

/**
 * What the worker publishes on the operation's channel (`<keyPrefix>analysis:<id>`) for whichever
 * gateway instance holds a waiting WebSocket. `restarted` progress means the attempt before was lost
 * (its worker died): text streamed so far is void and streams again from the start.
 */
export const AnalysisEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), operationId: OperationIdSchema, status: OperationStatusSchema, attempt: z.number().int().positive(), progress: AnalysisProgressSchema, restarted: z.boolean().optional() }),
  z.object({ type: z.literal('token'), operationId: OperationIdSchema, attempt: z.number().int().positive(), text: z.string() }),
  z.object({ type: z.literal('done'), operationId: OperationIdSchema, operation: OperationSchema }),
]);
export type AnalysisEvent = z.infer<typeof AnalysisEventSchema>;

// ── WebSocket frames (server → client) for the analyze action ──────────────────────────────────
export const AnalysisProgressFrameSchema = z.object({
  type: z.literal('progress'),
  requestId: z.string(),
  operationId: OperationIdSchema,
  status: OperationStatusSchema,
  attempt: z.number().int().nonnegative(),
  progress: AnalysisProgressSchema,
  restarted: z.boolean().optional(),
});
export const AnalysisDoneFrameSchema = z.object({
  type: z.literal('done'),
  requestId: z.string(),
  operationId: OperationIdSchema,
  status: z.enum(['Succeeded', 'Failed', 'Canceled']),
  result: AnalysisResultSchema.optional(),
  error: AnalysisErrorSchema.optional(),
});
export const AnalysisTokenFrameSchema = z.object({ type: z.literal('token'), requestId: z.string(), text: z.string() });
export type AnalysisServerFrame =
  | z.infer<typeof AnalysisProgressFrameSchema>
  | z.infer<typeof AnalysisDoneFrameSchema>
  | z.infer<typeof AnalysisTokenFrameSchema>;

/** Typed errors of the analyze endpoints (HTTP), `{"type":"error","code","message"}`. */
export const ANALYZE_HTTP_ERROR_CODES = [
  'invalid_json',
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'not_cancelable',
  'idempotency_key_reused',
  // Over the user's analyses per hour (fair limits): 429 with Retry-After and retryAfterMs.
  'rate_limited',
  'unavailable',
] as const;
export type AnalyzeHttpErrorCode = (typeof ANALYZE_HTTP_ERROR_CODES)[number];
