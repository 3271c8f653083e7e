/** The segments of one request, in the order they happen; each is timed and exported. */
export const SEGMENTS = [
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
export type Segment = (typeof SEGMENTS)[number];

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Per-request timings in milliseconds. */
export class SegmentClock {
  private readonly started = performance.now();
  readonly timings: Record<string, number> = {};

  /** Times an async step as one segment. */
  async time<T>(segment: Segment, step: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await step();
    } finally {
      this.add(segment, performance.now() - t0);
    }
  }

  /** Times a synchronous step as one segment. */
  timeSync<T>(segment: Segment, step: () => T): T {
    const t0 = performance.now();
    try {
      return step();
    } finally {
      this.add(segment, performance.now() - t0);
    }
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
