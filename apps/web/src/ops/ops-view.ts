import type { AnswerCounts, OpsSnapshot, ProfileReport } from '@manga-assist/contracts';

/** Where answers came from, as shares of all answered (0–1); null before any answer. */
export interface AnswerMix {
  answered: number;
  cacheShare: number | null;
  /** Of the answers the model wrote: Haiku's share (Sonnet's is the rest). */
  haikuShare: number | null;
  /** Of all requests: those that ended in an error frame. */
  errorRatio: number | null;
}

export function answerMix(a: AnswerCounts): AnswerMix {
  const cache = a.exact + a.semantic + a.precomputed;
  const model = a.haiku + a.sonnet;
  const answered = cache + model;
  const requests = answered + a.errors;
  return {
    answered,
    cacheShare: answered > 0 ? cache / answered : null,
    haikuShare: model > 0 ? a.haiku / model : null,
    errorRatio: requests > 0 ? a.errors / requests : null,
  };
}

/** The profiler's over-budget segments as sentences, worst first ("… 35 % over its 5 ms budget"). */
export function budgetWarnings(profile: ProfileReport): string[] {
  return Object.entries(profile.segments)
    .filter(([, s]) => s.state === 'over' && s.budgetMs !== null && s.overBy !== null)
    .sort(([, a], [, b]) => (b.overBy ?? 0) - (a.overBy ?? 0))
    .map(([name, s]) => `${name}: p95 ${formatMs(s.p95)} is ${Math.round((s.overBy ?? 0) * 100)} % over its ${formatMs(s.budgetMs)} budget`);
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export const formatShare = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(share > 0 && share < 0.01 ? 2 : 1)} %`);

/** Series kept for the charts: time (s) and, per name, one value per snapshot. */
export interface History {
  t: number[];
  series: Record<string, (number | null)[]>;
}

export const RATE_SERIES = ['exact', 'semantic', 'precomputed', 'haiku', 'sonnet', 'errors'] as const;
export const LATENCY_SERIES = ['total', 'fm-total:haiku', 'fm-total:sonnet', 'vector-search', 'cache-lookup'] as const;

/**
 * Adds a snapshot to the charts' history (at most `keep` points): answers per second by source,
 * from the difference with the previous snapshot's counters, and the p95 of the main segments.
 * A counter that went down (the gateway restarted) starts over instead of showing a negative rate.
 */
export function addToHistory(history: History, previous: OpsSnapshot | null, next: OpsSnapshot, keep = 300): History {
  const t = Date.parse(next.at) / 1000;
  const dt = previous ? t - Date.parse(previous.at) / 1000 : 0;
  const series: Record<string, (number | null)[]> = { ...history.series };
  for (const name of RATE_SERIES) {
    const delta = previous ? next.answers[name] - previous.answers[name] : null;
    const rate = delta === null || dt <= 0 || delta < 0 ? null : delta / dt;
    series[`rate:${name}`] = [...(series[`rate:${name}`] ?? []), rate].slice(-keep);
  }
  for (const name of LATENCY_SERIES) {
    const segment = next.profile.segments[name];
    series[`p95:${name}`] = [...(series[`p95:${name}`] ?? []), segment && segment.count > 0 ? segment.p95 : null].slice(-keep);
  }
  return { t: [...history.t, t].slice(-keep), series };
}
