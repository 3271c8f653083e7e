import { DEFAULT_BUDGETS_MS, NON_DURATION_TIMINGS, PIPELINE_ORDER } from '@manga-assist/profiler/budgets';
import type { ErrorCode } from '@manga-assist/contracts';

const yen = new Intl.NumberFormat('ja-JP', { style: 'currency', currency: 'JPY' });

/** ¥1,200 (Japanese formatting, whatever the browser's locale). */
export function formatPriceJpy(price: number): string {
  return yen.format(price);
}

/** "2026-12-24" → "2026年12月24日 (木)"; null when there is no date. */
export function formatReleaseDate(date: string | null): string | null {
  if (!date) return null;
  const parsed = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return date;
  return new Intl.DateTimeFormat('ja-JP', { dateStyle: 'medium', timeZone: 'UTC' }).format(parsed);
}

const DEGRADED_WORDS: Record<string, string> = {
  'sonnet-unavailable': 'Sonnet could not answer, so Haiku did',
  'sonnet-busy': 'Sonnet was busy, so Haiku answered',
  'search-fallback': 'product search was down: earlier or popular results shown',
  'session-unavailable': 'your earlier messages could not be read for this answer',
  'cache-unavailable': 'the answer cache was unreachable',
};

/** A `done.degraded` reason in words a shopper understands; unknown reasons are shown as given. */
export function describeDegraded(reason: string): string {
  return DEGRADED_WORDS[reason] ?? reason;
}

const ERROR_WORDS: Partial<Record<ErrorCode, string>> = {
  busy: 'Several answers are still on their way. Please wait for them, then ask again.',
  text_too_large: 'That message is too long (4 KB at most). Please shorten it.',
  frame_too_large: 'That message is too long. Please shorten it.',
  invalid_frame: 'That message could not be sent. Please try again.',
  model_throttled: 'The assistant is very busy right now. Please try again in a few seconds.',
  unavailable: 'The assistant cannot answer right now. Please try again in a moment.',
  model_error: 'The assistant could not answer that. Please try again.',
  stream_interrupted: 'The answer was cut off. Please ask again.',
};

/** A typed error frame as a polite sentence (never the server's internal detail). */
export function describeError(code: ErrorCode): string {
  return ERROR_WORDS[code] ?? 'Something went wrong on our side. Please try again.';
}

export interface WaterfallRow {
  segment: string;
  /** Approximate start within the request, ms (segments that overlap start together). */
  startMs: number;
  ms: number;
  budgetMs: number | null;
  /** Over its budget by more than the profiler's 20 % tolerance. */
  over: boolean;
}

/** The budget of one segment for the model that answered (`fm-total:haiku`), as the profiler judges it. */
export function budgetFor(segment: string, model: string): number | null {
  return DEFAULT_BUDGETS_MS[`${segment}:${model}`] ?? DEFAULT_BUDGETS_MS[segment] ?? null;
}

const TOLERANCE = 0.2;

/**
 * One answer's `done.timings` as a waterfall: segments in pipeline order, each placed after the
 * ones it waits for (session load and vector search run side by side; the first token, the
 * stream and the model's whole call all start when the model is called).
 */
export function waterfallRows(timings: Record<string, number>, model: string): WaterfallRow[] {
  const at = (segment: string) => timings[segment];
  const starts: Record<string, number> = {};
  let cursor = 0;
  const place = (segment: string, start: number) => {
    starts[segment] = start;
    return start + (at(segment) ?? 0);
  };
  cursor = place('validate', cursor);
  cursor = place('intent', cursor);
  cursor = place('cache-lookup', cursor);
  cursor = Math.max(place('session-load', cursor), place('vector-search', cursor));
  place('prompt-assembly', cursor);
  place('fm-first-token', cursor);
  const fmEnd = place('fm-total', cursor);
  place('stream', cursor + (at('fm-first-token') ?? 0));
  place('enqueue', Math.max(fmEnd, cursor + (at('stream') ?? 0)));
  return (PIPELINE_ORDER as readonly string[])
    .filter((segment) => at(segment) !== undefined && !NON_DURATION_TIMINGS.includes(segment))
    .map((segment) => {
      const ms = at(segment) ?? 0;
      const budgetMs = budgetFor(segment, model);
      return { segment, startMs: starts[segment] ?? 0, ms, budgetMs, over: budgetMs !== null && ms > budgetMs * (1 + TOLERANCE) };
    });
}

/** 0.0123 → "0.012 ms", 181.4 → "181 ms". */
export function formatMs(ms: number): string {
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(3)} ms`;
}
