// The bench regression gate: compares each segment's p95 in a run with the baseline's and fails when
// one grew by more than the tolerance (default 20%), or when a baseline segment is missing from the
// run. Growth where both p95s are under --floor-ms (default 0.05 ms) is not judged: at that size the
// run-to-run spread is timer and scheduler noise, not the code.
//   npx tsx --tsconfig tools/tsconfig.json tools/bench/regression-gate.ts \
//     --baseline tools/bench/baselines/chat.json --run .data/bench/chat.json
// Exit codes: 0 no regression, 1 regression (the failing segments are named), 2 bad arguments or files.
import { parseArgs } from 'node:util';
import { DEFAULT_GATE_OPTIONS, compareSegments, describeFailures, formatComparison } from './compare-segments';
import { SegmentReportError, readSegmentReport } from './segment-report';

const USAGE = `usage: regression-gate --baseline <file.json> --run <file.json> [--tolerance 0.2] [--floor-ms 0.05]
  --baseline   the segment report to compare with (e.g. tools/bench/baselines/chat.json)
  --run        the segment report of the run being judged (e.g. .data/bench/chat.json)
  --tolerance  largest allowed p95 growth per segment, as a fraction (default ${DEFAULT_GATE_OPTIONS.tolerance} = 20%)
  --floor-ms   growth is not judged when both p95s are below this, in ms (default ${DEFAULT_GATE_OPTIONS.floorMs})
Exits 0 when no segment regressed, 1 when one did or a baseline segment is missing, 2 on bad input.`;

const stop = (message: string): never => {
  process.stderr.write(`regression-gate: ${message}\n`);
  process.exit(2);
};

function nonNegative(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) stop(`${flag} must be a number ≥ 0, got "${text}"`);
  return value;
}

function main() {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        baseline: { type: 'string' },
        run: { type: 'string' },
        tolerance: { type: 'string' },
        'floor-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    return stop(`${(error as Error).message}\n${USAGE}`);
  }
  if (values['help']) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const baselineFile = values['baseline'];
  const runFile = values['run'];
  if (typeof baselineFile !== 'string' || typeof runFile !== 'string') return stop(`--baseline and --run are both required\n${USAGE}`);
  const tolerance = nonNegative('--tolerance', values['tolerance'] as string | undefined, DEFAULT_GATE_OPTIONS.tolerance);
  const floorMs = nonNegative('--floor-ms', values['floor-ms'] as string | undefined, DEFAULT_GATE_OPTIONS.floorMs);

  let baseline, run;
  try {
    baseline = readSegmentReport(baselineFile);
    run = readSegmentReport(runFile);
  } catch (error) {
    if (error instanceof SegmentReportError) return stop(error.message);
    throw error;
  }
  if (baseline.bench !== run.bench) return stop(`the run is of bench "${run.bench}" but the baseline is of "${baseline.bench}"`);
  if (Object.keys(baseline.segments).length === 0) return stop(`${baselineFile}: the baseline has no segments, so there is nothing to gate on`);

  const result = compareSegments(baseline, run, { tolerance, floorMs });
  const rule = `p95 may grow by ${+(tolerance * 100).toFixed(1)}%; not judged below ${floorMs} ms`;
  process.stdout.write(`\n${baseline.bench}: ${runFile} against ${baselineFile} (${rule})\n\n${formatComparison(result)}\n\n`);
  if (result.passed) {
    process.stdout.write(`regression-gate: PASS (${result.rows.length} segments)\n`);
    return;
  }
  process.stdout.write(`regression-gate: FAIL\n${describeFailures(result).map((line) => `  ${line}\n`).join('')}`);
  process.exitCode = 1;
}

main();
