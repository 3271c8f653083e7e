import { z } from 'zod';
import { LineageSchema } from './lineage.schema';
import { ProductFiltersSchema } from './catalog.schema';
import { ChatTurnSchema, IntentSchema, ModelProfileSchema } from './chat.schema';

// Payloads of the jobs the gateway (and the scheduler) hand to the post-processor. Producers and
// consumers both parse with these schemas; a job that does not match is rejected at the edge.
// Each carries its lineage (lineage.schema.ts); the exported types are what a producer writes (the
// lineage may be left out: 0 and `raw`, a job from the edge), consumers get the parsed output.

/** Server-side id of one answered request: unique across connections and instances. */
export const TraceIdSchema = z.string().regex(/^[0-9a-f]{32}$/, '32 hex digits');

/** The scope a cached answer belongs to: only questions with the same scope may share it. */
export const CacheScopeSchema = z.object({
  intent: IntentSchema,
  filters: ProductFiltersSchema,
  /** Titles named in the question, in order ("A vs B" and "B vs A" are different scopes). */
  titleIds: z.array(z.string()),
  language: z.enum(['ja', 'en']),
});
export type CacheScope = z.infer<typeof CacheScopeSchema>;

export const CacheWriteJobSchema = z.object({
  traceId: TraceIdSchema,
  question: z.string().min(1),
  answer: z.string().min(1),
  model: ModelProfileSchema,
  scope: CacheScopeSchema,
  ttlSeconds: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  ...LineageSchema.shape,
});
export type CacheWriteJob = z.input<typeof CacheWriteJobSchema>;

export const SessionUpdateJobSchema = z.object({
  traceId: TraceIdSchema,
  sessionId: z.string().min(1),
  userId: z.string().optional(),
  turn: ChatTurnSchema,
  /** Catalog ids the answer was about: the session's recent interactions. */
  titleIds: z.array(z.string()),
  ...LineageSchema.shape,
});
export type SessionUpdateJob = z.input<typeof SessionUpdateJobSchema>;

export const GuardrailCheckJobSchema = z.object({
  traceId: TraceIdSchema,
  connectionId: z.string().nullable(),
  requestId: z.string(),
  sessionId: z.string(),
  intent: IntentSchema,
  question: z.string(),
  answer: z.string(),
  ...LineageSchema.shape,
});
export type GuardrailCheckJob = z.input<typeof GuardrailCheckJobSchema>;

export const AnalyticsEventSchema = z.object({
  eventId: z.string().min(1),
  type: z.literal('chat_answered'),
  sessionId: z.string(),
  intent: IntentSchema,
  model: z.union([ModelProfileSchema, z.literal('cache')]),
  cached: z.boolean(),
  titleIds: z.array(z.string()),
  timings: z.record(z.string(), z.number()),
  degraded: z.array(z.string()),
  at: z.iso.datetime(),
  ...LineageSchema.shape,
});
export type AnalyticsEvent = z.input<typeof AnalyticsEventSchema>;

export const AuditJobSchema = z.object({
  traceId: TraceIdSchema,
  sessionId: z.string(),
  userId: z.string().optional(),
  requestId: z.string(),
  question: z.string(),
  answer: z.string(),
  model: z.union([ModelProfileSchema, z.literal('cache')]),
  at: z.iso.datetime(),
  ...LineageSchema.shape,
});
export type AuditJob = z.input<typeof AuditJobSchema>;

/**
 * Everything the post-processor needs to derive one answer's jobs (cache write, guardrail check,
 * analytics event, audit record, session turn): the gateway hands over this one job per answer
 * and the post-processor fans it out into the kinds' own queues.
 */
export const AnsweredJobSchema = z.object({
  traceId: TraceIdSchema,
  /** When the answer was given: the cache entry's, the event's, the audit record's and the turn's time. */
  at: z.iso.datetime(),
  requestId: z.string(),
  question: z.string().min(1),
  answer: z.string(),
  model: z.union([ModelProfileSchema, z.literal('cache')]),
  sessionId: z.string().min(1),
  userId: z.string().optional(),
  /** The WebSocket connection to send a revision to; null for an answer given over HTTP. */
  connectionId: z.string().nullable(),
  intent: IntentSchema,
  /** Catalog ids the answer was about. */
  titleIds: z.array(z.string()),
  scope: CacheScopeSchema,
  /** How long the answer stays in the response cache; 0 = not cached (the gateway decides from intent and risk). */
  cacheTtlSeconds: z.number().int().nonnegative(),
  timings: z.record(z.string(), z.number()),
  degraded: z.array(z.string()),
  /** The session turn, numbered by the gateway. */
  turn: ChatTurnSchema,
  ...LineageSchema.shape,
});
export type AnsweredJob = z.input<typeof AnsweredJobSchema>;

/** Most answers one answered-batch job carries. */
export const MAX_ANSWERS_PER_BATCH = 100;

/**
 * Several answers handed over as one job: the gateway gathers the answers of a few milliseconds,
 * so a busy gateway makes one queue write for many answers instead of one each. The post-processor
 * fans each answer out into the jobs of its kinds.
 */
export const AnsweredBatchJobSchema = z.object({
  /** The first answer's trace id: the batch's id, so handing the same batch over twice adds it once. */
  batchId: TraceIdSchema,
  answers: z.array(AnsweredJobSchema).min(1).max(MAX_ANSWERS_PER_BATCH),
  ...LineageSchema.shape,
});
export type AnsweredBatchJob = z.input<typeof AnsweredBatchJobSchema>;
