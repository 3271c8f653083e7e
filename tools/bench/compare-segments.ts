// Per-segment p95 of a bench run against its baseline: the rule of the regression gate.
import type { SegmentReport } from './segment-report';

export interface GateOptions {
  /** Largest allowed p95 growth as a fraction: 0.2 lets a segment grow by 20%. */
  tolerance: number;
  /**
   * Growth is ignored when both p95s are below this many ms: sub-microsecond segments (a Map
   * lookup, a JSON.stringify) move by more than 20% from run to run on timer and scheduler noise
   * alone. A segment that crosses the floor is judged as usual.
   */
  floorMs: number;
}

export const DEFAULT_GATE_OPTIONS: GateOptions = { tolerance: 0.2, floorMs: 0.05 };

/**
 * ok / faster (p95 fell by more than the tolerance) / below-floor (both under floorMs, not judged)
 * pass; regressed (p95 grew by more than the tolerance) and missing (in the baseline, not in the
 * run) fail; new (in the run only) is shown and passes.
 */
export type Verdict = 'ok' | 'faster' | 'below-floor' | 'regressed' | 'missing' | 'new';

export interface SegmentComparison {
  segment: string;
  baselineP95: number | null;
  runP95: number | null;
  /** run p95 / baseline p95; null when either is absent, Infinity when the baseline is 0. */
  ratio: number | null;
  verdict: Verdict;
}

export interface GateResult {
  rows: SegmentComparison[];
  failures: SegmentComparison[];
  passed: boolean;
}

const FAILING: ReadonlySet<Verdict> = new Set(['regressed', 'missing']);

export function compareSegments(baseline: SegmentReport, run: SegmentReport, opts: GateOptions = DEFAULT_GATE_OPTIONS): GateResult {
  const rows: SegmentComparison[] = [];
  for (const [segment, base] of Object.entries(baseline.segments)) {
    const current = run.segments[segment];
    if (!current) {
      rows.push({ segment, baselineP95: base.p95, runP95: null, ratio: null, verdict: 'missing' });
      continue;
    }
    const ratio = base.p95 > 0 ? current.p95 / base.p95 : current.p95 > 0 ? Infinity : 1;
    let verdict: Verdict;
    if (base.p95 < opts.floorMs && current.p95 < opts.floorMs) verdict = 'below-floor';
    else if (ratio > 1 + opts.tolerance) verdict = 'regressed';
    else if (ratio < 1 - opts.tolerance) verdict = 'faster';
    else verdict = 'ok';
    rows.push({ segment, baselineP95: base.p95, runP95: current.p95, ratio, verdict });
  }
  for (const [segment, current] of Object.entries(run.segments)) {
    if (!(segment in baseline.segments)) rows.push({ segment, baselineP95: null, runP95: current.p95, ratio: null, verdict: 'new' });
  }
  const failures = rows.filter((r) => FAILING.has(r.verdict));
  return { rows, failures, passed: failures.length === 0 };
}

const num = (ms: number | null) => (ms === null ? '—' : ms.toFixed(3));
const ratioText = (r: number | null) => (r === null ? '—' : Number.isFinite(r) ? `${r.toFixed(2)}×` : '∞');
const change = (r: number | null) => (r === null || !Number.isFinite(r) ? '' : `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)}%`);

/** The side-by-side table: baseline p95, run p95, ratio, change and verdict per segment. */
export function formatComparison(result: GateResult): string {
  const width = Math.max(7, ...result.rows.map((r) => r.segment.length)) + 2;
  const head = `${'segment'.padEnd(width)}${'base p95 ms'.padStart(13)}${'run p95 ms'.padStart(13)}${'ratio'.padStart(9)}${'change'.padStart(9)}  verdict`;
  const lines = result.rows.map(
    (r) =>
      `${r.segment.padEnd(width)}${num(r.baselineP95).padStart(13)}${num(r.runP95).padStart(13)}${ratioText(r.ratio).padStart(9)}${change(r.ratio).padStart(9)}  ${FAILING.has(r.verdict) ? r.verdict.toUpperCase() : r.verdict}`,
  );
  return [head, ...lines].join('\n');
}

/** One line per failing segment, e.g. `vector-search: p95 1.000 → 1.300 ms (+30.0%)`. */
export function describeFailures(result: GateResult): string[] {
  return result.failures.map((r) =>
    r.verdict === 'missing'
      ? `${r.segment}: in the baseline (p95 ${num(r.baselineP95)} ms) but missing from the run`
      : `${r.segment}: p95 ${num(r.baselineP95)} → ${num(r.runP95)} ms (${Number.isFinite(r.ratio) ? change(r.ratio) : 'from 0'})`,
  );
}
