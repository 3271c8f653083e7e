// Prints one plain closing line per Jest run ("Tests: N passed, N failed") and appends the same
// counts to $TEST_COUNTS_FILE when set, so a CI script can print the total across all projects.
const fs = require('node:fs');

class CountReporter {
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    process.stdout.write(`\nTests: ${line}\n`);
    const file = process.env.TEST_COUNTS_FILE;
    if (file) fs.appendFileSync(file, `${passed} ${failed} ${skipped}\n`);
  }
}

module.exports = CountReporter;
