// Prints one plain closing line per Jest run ("Tests: N passed, N failed") and appends the same
// counts to $TEST_COUNTS_FILE when set, so a CI script can print the total across all projects.
// With $TEST_FAILURES_FILE set, each failed test (or suite that failed to run) is appended there
// with the head of its message, so a CI script can repeat every failure at the end of its log,
// where a reader looks first, instead of somewhere in the interleaved output of parallel tasks.
const fs = require('node:fs');
const path = require('node:path');

const WORKSPACE = path.resolve(__dirname, '../..');
const MESSAGE_LINES = 30;
const ANSI = /\u001b\[[0-9;]*m/g;

function head(message) {
  // Stack frames inside node_modules say nothing about the failure; the test's own frames stay.
  const lines = message
    .replace(ANSI, '')
    .split('\n')
    .filter((l) => !/^\s+at .*(node_modules|<anonymous>)/.test(l));
  const kept = lines.slice(0, MESSAGE_LINES);
  if (lines.length > MESSAGE_LINES) kept.push(`… ${lines.length - MESSAGE_LINES} more lines`);
  return kept.map((l) => `    ${l}`).join('\n');
}

/** A test file's path from the workspace root, or from Jest's rootDir for a file outside it. */
function shortPath(file, rootDir) {
  const fromWorkspace = path.relative(WORKSPACE, file);
  return fromWorkspace.startsWith('..') ? path.relative(rootDir, file) : fromWorkspace;
}

function failures(results, rootDir) {
  const out = [];
  for (const suite of results.testResults) {
    const file = shortPath(suite.testFilePath, rootDir);
    if (suite.testExecError || (suite.failureMessage && suite.numFailingTests === 0)) {
      out.push(`✕ ${file} (the suite did not run)\n${head(suite.testExecError?.message ?? suite.failureMessage)}`);
    }
    for (const test of suite.testResults) {
      if (test.status !== 'failed') continue;
      const took = test.duration == null ? '' : ` (${test.duration} ms)`;
      out.push(`✕ ${file} › ${test.fullName}${took}\n${head(test.failureMessages.join('\n'))}`);
    }
  }
  return out;
}

class CountReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    process.stdout.write(`\nTests: ${line}\n`);
    const file = process.env.TEST_COUNTS_FILE;
    if (file) fs.appendFileSync(file, `${passed} ${failed} ${skipped}\n`);
    const failuresFile = process.env.TEST_FAILURES_FILE;
    const failedTests = failures(results, this.rootDir);
    if (failuresFile && failedTests.length > 0) fs.appendFileSync(failuresFile, `${failedTests.join('\n\n')}\n\n`);
  }
}

module.exports = CountReporter;
