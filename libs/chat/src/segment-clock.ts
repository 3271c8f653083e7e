import { PIPELINE_ORDER } from '@manga-assist/profiler';

/** The segments of one request, in the order they happen; each is timed, exported and profiled. */
export const SEGMENTS = PIPELINE_ORDER;
export type Segment = (typeof SEGMENTS)[number];

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** One timed step: where it started (ms after the request began) and how long it took. */
export interface SegmentSpan {
  segment: string;
  startMs: number;
  durationMs: number;
}

/** Per-request timings in milliseconds, and the spans they came from (for traces). */
export class SegmentClock {
  private readonly started = performance.now();
  /** Wall-clock start of the request (epoch ms). */
  readonly startedAt = Date.now();
  readonly timings: Record<string, number> = {};
  readonly spans: SegmentSpan[] = [];

  /** Times an async step as one segment. */
  async time<T>(segment: Segment, step: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await step();
    } finally {
      this.span(segment, t0);
    }
  }

  /** Times a synchronous step as one segment. */
  timeSync<T>(segment: Segment, step: () => T): T {
    const t0 = performance.now();
    try {
      return step();
    } finally {
      this.span(segment, t0);
    }
  }

  /** Records a step that started at `t0` (performance.now()) and ends now. */
  span(segment: Segment, t0: number): void {
    const ms = performance.now() - t0;
    this.spans.push({ segment, startMs: t0 - this.started, durationMs: ms });
    this.add(segment, ms);
  }

  /** Records a segment of `ms` whose span starts at `t0` (performance.now()), e.g. work spread over a stream. */
  record(segment: Segment, t0: number, ms: number): void {
    this.spans.push({ segment, startMs: t0 - this.started, durationMs: performance.now() - t0 });
    this.add(segment, ms);
  }

  add(segment: Segment, ms: number): void {
    this.timings[segment] = round((this.timings[segment] ?? 0) + ms);
  }

  set(name: string, ms: number): void {
    this.timings[name] = round(ms);
  }

  elapsed(): number {
    return performance.now() - this.started;
  }
}
