// The regression gate as CI runs it: the real CLI through tsx, on report files in a temp folder.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'hdr-histogram-js';
import { compareSegments } from './compare-segments';
import { readSegmentReport, segmentReport, writeSegmentReport } from './segment-report';
import type { SegmentReport } from './segment-report';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const GATE = 'tools/bench/regression-gate.ts';

function gate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['--tsconfig', 'tools/tsconfig.json', GATE, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const baseline: SegmentReport = {
  bench: 'chat',
  segments: {
    validate: { p50: 0.2, p95: 0.4, p99: 0.6, count: 1000 },
    intent: { p50: 0.01, p95: 0.02, p99: 0.03, count: 1000 },
    'vector-search': { p50: 0.2, p95: 1.0, p99: 1.5, count: 1000 },
    'fm-total': { p50: 100, p95: 150, p99: 180, count: 1000 },
  },
};

/** The baseline with some segments' p95 changed (null drops the segment). */
function runWith(changes: Record<string, number | null>): SegmentReport {
  const segments = { ...baseline.segments };
  for (const [name, p95] of Object.entries(changes)) {
    if (p95 === null) delete segments[name];
    else segments[name] = { ...segments[name]!, p95 };
  }
  return { bench: 'chat', segments };
}

describe('regression gate CLI', () => {
  let dir: string;
  let baselineFile: string;
  const runFile = (report: SegmentReport | string) => {
    const file = path.join(dir, `run-${Math.random().toString(36).slice(2)}.json`);
    if (typeof report === 'string') fs.writeFileSync(file, report);
    else writeSegmentReport(file, report);
    return file;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regression-gate-'));
    baselineFile = path.join(dir, 'baselines/chat.json');
    writeSegmentReport(baselineFile, baseline);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes a run within the tolerance and prints the side-by-side table', async () => {
    // +15% on vector-search, faster model, intent 2.4× but under the 0.05 ms floor, a new segment.
    const run = runWith({ 'vector-search': 1.15, 'fm-total': 100, intent: 0.048 });
    run.segments['enqueue'] = { p50: 0.05, p95: 0.1, p99: 0.2, count: 1000 };
    const { code, stdout, stderr } = await gate(['--baseline', baselineFile, '--run', runFile(run)]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/segment\s+base p95 ms\s+run p95 ms\s+ratio\s+change\s+verdict/);
    expect(stdout).toMatch(/vector-search\s+1\.000\s+1\.150\s+1\.15×\s+\+15\.0%\s+ok/);
    expect(stdout).toMatch(/fm-total\s+150\.000\s+100\.000\s+0\.67×\s+-33\.3%\s+faster/);
    expect(stdout).toMatch(/intent\s+0\.020\s+0\.048\s+2\.40×\s+\+140\.0%\s+below-floor/);
    expect(stdout).toMatch(/enqueue\s+—\s+0\.100\s+—\s+new/);
    expect(stdout).toContain('regression-gate: PASS (5 segments)');
  }, 30_000);

  it('fails a run where one segment p95 grew by 30%, naming the segment', async () => {
    const { code, stdout } = await gate(['--baseline', baselineFile, '--run', runFile(runWith({ 'vector-search': 1.3 }))]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/vector-search\s+1\.000\s+1\.300\s+1\.30×\s+\+30\.0%\s+REGRESSED/);
    expect(stdout).toContain('regression-gate: FAIL\n  vector-search: p95 1.000 → 1.300 ms (+30.0%)\n');
    expect(stdout).not.toMatch(/^\s+(validate|fm-total|intent):/m);
  }, 30_000);

  it('takes its tolerance and floor from the command line', async () => {
    const run = runFile(runWith({ 'vector-search': 1.3, intent: 0.04 }));
    const loose = await gate(['--baseline', baselineFile, '--run', run, '--tolerance', '0.5']);
    expect(loose.code).toBe(0);
    const strict = await gate(['--baseline', baselineFile, '--run', run, '--tolerance', '0.5', '--floor-ms', '0.01']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('  intent: p95 0.020 → 0.040 ms (+100.0%)');
  }, 30_000);

  it('fails a run that lacks a segment of the baseline', async () => {
    const { code, stdout } = await gate(['--baseline', baselineFile, '--run', runFile(runWith({ 'fm-total': null }))]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/fm-total\s+150\.000\s+—\s+—\s+MISSING/);
    expect(stdout).toContain('  fm-total: in the baseline (p95 150.000 ms) but missing from the run');
  }, 30_000);

  it('exits 2 with a clear message on a bad file or bad arguments', async () => {
    const [notJson, wrongShape, missing, otherBench, noRun, badTolerance] = await Promise.all([
      gate(['--baseline', baselineFile, '--run', runFile('{"bench": "chat", ')]),
      gate(['--baseline', baselineFile, '--run', runFile('{"bench": "chat", "segments": {"intent": {"p50": 1, "p95": "slow", "p99": 1, "count": 3}}}')]),
      gate(['--baseline', path.join(dir, 'nope.json'), '--run', baselineFile]),
      gate(['--baseline', baselineFile, '--run', runFile({ ...baseline, bench: 'prefetch' })]),
      gate(['--baseline', baselineFile]),
      gate(['--baseline', baselineFile, '--run', baselineFile, '--tolerance', 'lots']),
    ]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^regression-gate: \S+run-\w+\.json: not JSON \(/);
    expect(wrongShape.code).toBe(2);
    expect(wrongShape.stderr).toMatch(/not a segment report: segments\.intent\.p95: Invalid input: expected number, received string/);
    expect(missing).toMatchObject({ code: 2, stderr: `regression-gate: ${path.join(dir, 'nope.json')}: cannot read (no such file)\n` });
    expect(otherBench).toMatchObject({ code: 2, stderr: 'regression-gate: the run is of bench "prefetch" but the baseline is of "chat"\n' });
    expect(noRun.code).toBe(2);
    expect(noRun.stderr).toContain('--baseline and --run are both required');
    expect(badTolerance).toMatchObject({ code: 2, stderr: 'regression-gate: --tolerance must be a number ≥ 0, got "lots"\n' });
  }, 60_000);
});

describe('segment reports', () => {
  it('are built from HDR histograms of microseconds and read back as written', () => {
    const h = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
    for (let us = 1; us <= 1000; us++) h.recordValue(us * 10);
    const report = segmentReport('chat', [['  vector-search', h]]);
    expect(report.segments['vector-search']).toEqual({ p50: expect.closeTo(5, 1), p95: expect.closeTo(9.5, 1), p99: expect.closeTo(9.9, 1), count: 1000 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'segment-report-')), 'deep/er/chat.json');
    writeSegmentReport(file, report);
    expect(readSegmentReport(file)).toEqual(report);
    fs.rmSync(path.dirname(path.dirname(path.dirname(file))), { recursive: true, force: true });
  });

  it('judge a baseline p95 of zero by the floor, then as any growth', () => {
    const zero: SegmentReport = { bench: 'b', segments: { s: { p50: 0, p95: 0, p99: 0, count: 1 } } };
    const tiny: SegmentReport = { bench: 'b', segments: { s: { p50: 0, p95: 0.01, p99: 0.01, count: 1 } } };
    const big: SegmentReport = { bench: 'b', segments: { s: { p50: 0, p95: 1, p99: 1, count: 1 } } };
    expect(compareSegments(zero, tiny).rows[0]!.verdict).toBe('below-floor');
    expect(compareSegments(zero, big).rows[0]).toMatchObject({ verdict: 'regressed', ratio: Infinity });
    expect(compareSegments(zero, zero).passed).toBe(true);
  });
});
