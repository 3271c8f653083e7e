/**
 * Latency budgets (p95, ms) from DESIGN.md "Latency budgets", mapped onto the gateway's segment
 * names (libs/chat SegmentClock).
 *
 * Model-specific segments are keyed `<segment>:<model>` (e.g. `fm-total:haiku`): a request recorded
 * with `model: 'haiku'` is profiled under `fm-first-token:haiku` and `fm-total:haiku`, so Haiku and
 * Sonnet each have their own rolling p95 and budget. Without a model they are profiled under the
 * plain name, which has no default budget.
 *
 * - validate: the API Gateway hop (25 ms), the first thing a request pays.
 * - fm-total: the seeds' `bedrock-invoke` is the whole model call (300 ms Haiku / 800 ms Sonnet).
 *   fm-first-token is part of that call and is held to the same number: a first token later than
 *   the whole-call budget is over however short the answer.
 * - enqueue: 5 ms, one third of the 15 ms orchestrator overhead; intent and prompt-assembly have
 *   their own budgets, and the remaining 10 ms is left to unsegmented glue (frame parsing, routing).
 * - total: the 2 s end-to-end p95 target.
 * - guardrails (40 ms in the seeds) has no entry: here the guardrail check runs after the answer,
 *   in the post-processor, so it is not a segment of the request.
 *
 * A key without a budget of its own falls back to its segment's (`fm-total:local` → `fm-total`),
 * so `{ 'fm-total': 800 }` in the options covers every model at once.
 */
export const DEFAULT_BUDGETS_MS: Record<string, number> = {
  validate: 25,
  intent: 5,
  'cache-lookup': 3,
  'session-load': 12,
  'vector-search': 150,
  'prompt-assembly': 5,
  'fm-first-token:haiku': 300,
  'fm-first-token:sonnet': 800,
  'fm-total:haiku': 300,
  'fm-total:sonnet': 800,
  stream: 15,
  enqueue: 5,
  total: 2000,
};

/** Segments whose duration depends on the model; they are profiled per model. */
export const MODEL_SEGMENTS: readonly string[] = ['fm-first-token', 'fm-total'];

/** The end-to-end duration of a request; never counted as a bottleneck. */
export const TOTAL_SEGMENT = 'total';

/** Entries of a timings record that are not durations (the gateway's SegmentClock writes both). */
export const NON_DURATION_TIMINGS: readonly string[] = ['prompt-bytes', 'prefetched'];

/** The order segments happen in one request; the report lists them in this order, the total last. */
export const PIPELINE_ORDER = [
  'validate',
  'intent',
  'cache-lookup',
  'session-load',
  'vector-search',
  'prompt-assembly',
  'fm-first-token',
  'fm-total',
  'stream',
  'enqueue',
] as const;
export type PipelineSegment = (typeof PIPELINE_ORDER)[number];

/** The key a segment is profiled under: `fm-total:haiku` for a model segment with a model, else the name. */
export function segmentKey(segment: string, model?: string): string {
  return model && MODEL_SEGMENTS.includes(segment) ? `${segment}:${model}` : segment;
}

/** The segment name a key stands for (`fm-total:haiku` → `fm-total`). */
export function baseSegment(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
}
