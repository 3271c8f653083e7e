// What a bench writes for the regression gate: per-segment percentiles of one run, in ms.
//   { "bench": "chat", "segments": { "intent": { "p50": 0.04, "p95": 0.07, "p99": 0.1, "count": 1000 }, … } }
// Benches write one with writeSegmentReport() (e.g. to .data/bench/chat.json); a copy checked in
// under tools/bench/baselines/ is what later runs are compared with.
import fs from 'node:fs';
import path from 'node:path';
import type { Histogram } from 'hdr-histogram-js';
import { z } from 'zod';

const ms = z.number().finite().nonnegative();

export const SegmentStatsSchema = z.object({ p50: ms, p95: ms, p99: ms, count: z.number().int().nonnegative() });
export type SegmentStats = z.infer<typeof SegmentStatsSchema>;

export const SegmentReportSchema = z.object({
  bench: z.string().min(1),
  segments: z.record(z.string().min(1), SegmentStatsSchema),
});
export type SegmentReport = z.infer<typeof SegmentReportSchema>;

/** A file that is missing, is not JSON, or is not a segment report; the message says which and where. */
export class SegmentReportError extends Error {
  override name = 'SegmentReportError';
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Stats in ms from an HDR histogram of microseconds (the benches' `histogram()`). */
export function segmentStats(h: Histogram): SegmentStats {
  return {
    p50: round3(h.getValueAtPercentile(50) / 1000),
    p95: round3(h.getValueAtPercentile(95) / 1000),
    p99: round3(h.getValueAtPercentile(99) / 1000),
    count: h.totalCount,
  };
}

/** A report from named histograms of microseconds, e.g. the chat bench's per-segment map. */
export function segmentReport(bench: string, histograms: Iterable<[string, Histogram]>): SegmentReport {
  const segments: Record<string, SegmentStats> = {};
  for (const [name, h] of histograms) segments[name.trim()] = segmentStats(h);
  return SegmentReportSchema.parse({ bench, segments });
}

/** Writes a report as JSON (creating the folder); it is validated first, so a bad one never lands on disk. */
export function writeSegmentReport(file: string, report: SegmentReport): void {
  const valid = SegmentReportSchema.parse(report);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(valid, null, 2)}\n`);
}

/** Reads and validates a report; throws SegmentReportError naming the file and what is wrong with it. */
export function readSegmentReport(file: string): SegmentReport {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SegmentReportError(`${file}: cannot read (${code === 'ENOENT' ? 'no such file' : (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SegmentReportError(`${file}: not JSON (${(error as Error).message})`);
  }
  const parsed = SegmentReportSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new SegmentReportError(`${file}: not a segment report: ${issues.join('; ')}`);
  }
  return parsed.data;
}
