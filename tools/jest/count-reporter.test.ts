import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const JEST = resolve(__dirname, '../../node_modules/jest/bin/jest.js');
const REPORTER = resolve(__dirname, 'count-reporter.js');

describe('count reporter', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'count-reporter-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function runJest(files: Record<string, string>) {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    writeFileSync(
      join(dir, 'jest.config.js'),
      `module.exports = { rootDir: __dirname, testEnvironment: 'node', transform: {}, reporters: [${JSON.stringify(REPORTER)}] };`,
    );
    const counts = join(dir, 'counts.txt');
    const failures = join(dir, 'failures.txt');
    const run = spawnSync(process.execPath, [JEST, '-c', join(dir, 'jest.config.js'), '--ci'], {
      cwd: dir,
      env: { ...process.env, FORCE_COLOR: '1', TEST_COUNTS_FILE: counts, TEST_FAILURES_FILE: failures },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return {
      status: run.status,
      stdout: run.stdout,
      counts: readFileSync(counts, 'utf8'),
      failures: existsSync(failures) ? readFileSync(failures, 'utf8') : '',
    };
  }

  it('counts passed and failed tests and repeats each failure with its message', () => {
    const run = runJest({
      'good.test.js': `it('adds', () => expect(1 + 1).toBe(2));`,
      'bad.test.js': `it('finds the title', () => expect('Dorohedoro').toBe('Dungeon Meshi'));`,
      'broken.test.js': `throw new Error('catalog fixture missing');`,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Tests: 1 passed, 2 failed');
    expect(run.counts).toBe('1 2 0\n');
    expect(run.failures).toContain('✕ bad.test.js › finds the title');
    expect(run.failures).toContain('Expected: "Dungeon Meshi"');
    expect(run.failures).toContain('✕ broken.test.js (the suite did not run)');
    expect(run.failures).toContain('catalog fixture missing');
    expect(run.failures).not.toContain('good.test.js');
    expect(run.failures).not.toContain('\u001b['); // no colour codes
    expect(run.failures).not.toContain('node_modules');
  });

  it('writes no failures when every test passes', () => {
    const run = runJest({ 'good.test.js': `it('adds', () => expect(1 + 1).toBe(2));` });
    expect(run.status).toBe(0);
    expect(run.counts).toBe('1 0 0\n');
    expect(run.failures).toBe('');
  });
});
