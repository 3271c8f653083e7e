import { trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import type { Registry } from '@manga-assist/telemetry';
import {
  DEFAULT_BUDGETS_MS,
  MODEL_SEGMENTS,
  NON_DURATION_TIMINGS,
  PIPELINE_ORDER,
  TOTAL_SEGMENT,
  baseSegment,
  segmentKey,
} from './budgets';
import { RollingCount } from './rolling-count';
import { RollingHistogram, toMicros } from './rolling-histogram';
import { registerBudgetMetrics } from './budget-metrics';
import { createSpanEmitter } from './request-spans';

export interface ProfilerLog {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

export interface RequestProfilerOptions {
  /** p95 budgets in ms by segment key, merged over DEFAULT_BUDGETS_MS. */
  budgets?: Record<string, number>;
  /** How far over its budget a p95 may go before the segment counts as over: 0.2 = 20%. */
  tolerance?: number;
  /** Length of the rolling window the percentiles cover. Default 60 s. */
  windowMs?: number;
  /** Histograms per segment the window is divided into; the window moves on one slot at a time. Default 6. */
  slots?: number;
  /** Where the budget counter and the p95/budget gauges are registered; no metrics without one. */
  registry?: Registry;
  log?: ProfilerLog;
  /** Tracer for the request's spans; defaults to the global OpenTelemetry API's (a no-op without an SDK). */
  tracer?: Tracer;
  /** Clock in epoch ms. */
  now?: () => number;
  /** Budgets are checked from record() at most this often. Default 1 s. */
  checkIntervalMs?: number;
  /** Fewer values than this in the window never raise a warning (one slow cold start is not a trend). Default 20. */
  minSamples?: number;
  /** Timings entries that are not durations and are skipped. */
  ignore?: readonly string[];
  /** Cap on distinct segment keys (a label each on the metrics); further keys are dropped. Default 64. */
  maxSegments?: number;
  /** Name of each request's root span. */
  rootSpanName?: string;
}

export interface SegmentSpan {
  segment: string;
  /** Offset from the request's startedAt, ms. */
  startMs: number;
  durationMs: number;
}

export interface ProfiledRequest {
  /** 32 hex digits (or the X-Ray form); the request's spans join this trace. */
  traceId?: string;
  /** The upstream span the request's root span hangs under, when known (e.g. `Parent=` of X-Amzn-Trace-Id). */
  parentSpanId?: string;
  /** Epoch ms. */
  startedAt: number;
  /** Duration per segment, ms; a `total` entry is the end-to-end duration. */
  timings: Record<string, number>;
  /** Where each segment sat in time; without them the child spans are laid end to end in timings order. */
  spans?: readonly SegmentSpan[];
  /** The model that answered; fm-first-token and fm-total are profiled per model. */
  model?: string;
  attributes?: Record<string, string | number | boolean>;
}

export type SegmentState = 'ok' | 'over' | 'no-budget';

export interface SegmentProfile {
  /** Values in the window. */
  count: number;
  /** Percentiles and maximum in ms, to 1% (HDR, two significant digits, upper edge of the bucket). */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  budgetMs: number | null;
  /** 'over' when p95 > budget × (1 + tolerance). */
  state: SegmentState;
  /** p95 / budget − 1: 0.35 is 35% over, −0.5 is half the budget; null without a budget. */
  overBy: number | null;
}

export interface SegmentRef {
  segment: string;
  p95: number;
}

export interface ProfileReport {
  generatedAt: string;
  windowMs: number;
  tolerance: number;
  /** Requests recorded in the window. */
  requests: number;
  /** By segment key, in pipeline order; only segments with values in the window. */
  segments: Record<string, SegmentProfile>;
  bottleneck: {
    /** Largest p95 among the segments this service owns: not the model's fm-* and not the total. */
    owned: SegmentRef | null;
    /** Largest p95 of any segment but the total. */
    overall: SegmentRef | null;
  };
}

export interface RequestProfiler {
  /** Records one finished request: per-segment durations, an optional model key, and its spans. */
  record(request: ProfiledRequest): void;
  /** Percentiles, budgets and the bottleneck over the rolling window. */
  snapshot(): ProfileReport;
}

interface SegmentEntry {
  key: string;
  order: number;
  histogram: RollingHistogram;
  budgetMs: number | null;
  lastWarnAt: number;
}

const noop = () => undefined;

const round3 = (n: number) => Math.round(n * 1000) / 1000;

function checkOptions(opts: RequestProfilerOptions) {
  const tolerance = opts.tolerance ?? 0.2;
  const windowMs = opts.windowMs ?? 60_000;
  const slots = opts.slots ?? 6;
  if (!(tolerance >= 0 && Number.isFinite(tolerance))) throw new Error(`profiler: tolerance must be a number ≥ 0, got ${tolerance}`);
  if (!Number.isInteger(slots) || slots < 1 || slots > 600) throw new Error(`profiler: slots must be an integer from 1 to 600, got ${slots}`);
  if (!Number.isInteger(windowMs) || windowMs < slots) throw new Error(`profiler: windowMs must be an integer ≥ slots (${slots}), got ${windowMs}`);
  const budgets = { ...DEFAULT_BUDGETS_MS, ...opts.budgets };
  for (const [key, ms] of Object.entries(budgets)) {
    if (!(ms > 0 && Number.isFinite(ms))) throw new Error(`profiler: budget for "${key}" must be a positive number of ms, got ${ms}`);
  }
  return { tolerance, windowMs, slots, budgets };
}

/**
 * Rolling per-segment latency percentiles checked against latency budgets, exported as metrics,
 * and each request's segments as OpenTelemetry spans.
 *
 * record() is on every request's path: one clock read, one HDR record per segment (integer µs into
 * a preallocated histogram), and the budget check at most once per `checkIntervalMs`. Percentiles
 * are computed by merging the window's slots only when something reads them.
 */
export function createRequestProfiler(opts: RequestProfilerOptions = {}): RequestProfiler {
  const { tolerance, windowMs, slots, budgets } = checkOptions(opts);
  const now = opts.now ?? Date.now;
  const log = opts.log ?? { warn: noop, info: noop };
  const tracer = opts.tracer ?? trace.getTracer('@manga-assist/profiler');
  const checkIntervalMs = opts.checkIntervalMs ?? 1000;
  const minSamples = opts.minSamples ?? 20;
  const maxSegments = opts.maxSegments ?? 64;
  const rootSpanName = opts.rootSpanName ?? 'chat.request';
  const ignored = new Set(opts.ignore ?? NON_DURATION_TIMINGS);
  const modelSegments = new Set(MODEL_SEGMENTS);
  const slotMs = windowMs / slots;
  const slotAt = (t: number) => Math.floor(t / slotMs);

  const entries = new Map<string, SegmentEntry>();
  const modelKeys = new Map<string, Map<string, string>>();
  const requests = new RollingCount(slots, slotAt(now()));
  let lastCheckAt = now();
  let droppedWarned = false;

  const spans = createSpanEmitter({ tracer, rootSpanName, ignored });
  const budgetFor = (key: string): number | null => budgets[key] ?? budgets[baseSegment(key)] ?? null;

  /** The key a timing is profiled under, without building a new string per request. */
  function keyFor(name: string, model: string | undefined): string {
    if (model === undefined || !modelSegments.has(name)) return name;
    let keys = modelKeys.get(model);
    if (!keys) modelKeys.set(model, (keys = new Map()));
    let key = keys.get(name);
    if (key === undefined) keys.set(name, (key = segmentKey(name, model)));
    return key;
  }

  function entryFor(key: string, t: number): SegmentEntry | undefined {
    const found = entries.get(key);
    if (found) return found;
    if (entries.size >= maxSegments) {
      if (!droppedWarned) {
        droppedWarned = true;
        log.warn({ segment: key, maxSegments }, 'profiler: too many distinct segments; further ones are not profiled');
      }
      return undefined;
    }
    const index = (PIPELINE_ORDER as readonly string[]).indexOf(baseSegment(key));
    const entry: SegmentEntry = {
      key,
      // Known segments in pipeline order, then any others, then the total.
      order: key === TOTAL_SEGMENT ? Number.MAX_SAFE_INTEGER : index < 0 ? PIPELINE_ORDER.length : index,
      histogram: new RollingHistogram(slots, slotAt(t)),
      budgetMs: budgetFor(key),
      lastWarnAt: -Infinity,
    };
    entries.set(key, entry);
    return entry;
  }

  const exceeded = registerBudgetMetrics(opts.registry, {
    budgets,
    segments: () => entries.values(),
    slot: () => slotAt(now()),
  });

  function checkBudgets(t: number) {
    lastCheckAt = t;
    const slot = slotAt(t);
    for (const entry of entries.values()) {
      if (entry.budgetMs === null || t - entry.lastWarnAt < windowMs) continue;
      const h = entry.histogram.read(slot);
      if (h.totalCount < minSamples) continue;
      const p95 = round3(h.getValueAtPercentile(95) / 1000);
      if (p95 <= entry.budgetMs * (1 + tolerance)) continue;
      entry.lastWarnAt = t;
      exceeded?.inc({ segment: entry.key });
      const overBy = Math.round((p95 / entry.budgetMs - 1) * 1000) / 1000;
      log.warn(
        { segment: entry.key, p95Ms: p95, budgetMs: entry.budgetMs, overBy, tolerance, count: h.totalCount, windowMs },
        `latency budget exceeded: ${entry.key} p95 ${p95} ms > ${entry.budgetMs} ms (+${Math.round(overBy * 100)}%)`,
      );
    }
  }

  return {
    record(request) {
      const t = now();
      const slot = slotAt(t);
      const { timings, model } = request;
      let totalMs = timings[TOTAL_SEGMENT];
      for (const name in timings) {
        if (ignored.has(name)) continue;
        const us = toMicros(timings[name]);
        if (us < 0) continue;
        entryFor(keyFor(name, model), t)?.histogram.record(slot, us);
      }
      if (totalMs === undefined && request.spans && request.spans.length > 0) {
        totalMs = 0;
        for (const s of request.spans) if (s.startMs + s.durationMs > totalMs) totalMs = s.startMs + s.durationMs;
        entryFor(TOTAL_SEGMENT, t)?.histogram.record(slot, toMicros(totalMs));
      }
      requests.add(slot);
      if (t - lastCheckAt >= checkIntervalMs) checkBudgets(t);
      spans.emit(request, totalMs);
    },

    snapshot() {
      const t = now();
      const slot = slotAt(t);
      const segments: Record<string, SegmentProfile> = {};
      let owned: SegmentRef | null = null;
      let overall: SegmentRef | null = null;
      const ordered = [...entries.values()].sort((a, b) => a.order - b.order || a.key.localeCompare(b.key));
      for (const entry of ordered) {
        const h = entry.histogram.read(slot);
        if (h.totalCount === 0) continue;
        const p95 = round3(h.getValueAtPercentile(95) / 1000);
        const overBy = entry.budgetMs === null ? null : Math.round((p95 / entry.budgetMs - 1) * 10_000) / 10_000;
        segments[entry.key] = {
          count: h.totalCount,
          p50: round3(h.getValueAtPercentile(50) / 1000),
          p95,
          p99: round3(h.getValueAtPercentile(99) / 1000),
          max: round3(h.maxValue / 1000),
          budgetMs: entry.budgetMs,
          state: entry.budgetMs === null ? 'no-budget' : p95 > entry.budgetMs * (1 + tolerance) ? 'over' : 'ok',
          overBy,
        };
        if (entry.key === TOTAL_SEGMENT) continue;
        if (!overall || p95 > overall.p95) overall = { segment: entry.key, p95 };
        if (!modelSegments.has(baseSegment(entry.key)) && (!owned || p95 > owned.p95)) owned = { segment: entry.key, p95 };
      }
      return {
        generatedAt: new Date(t).toISOString(),
        windowMs,
        tolerance,
        requests: requests.total(slot),
        segments,
        bottleneck: { owned, overall },
      };
    },
  };
}
