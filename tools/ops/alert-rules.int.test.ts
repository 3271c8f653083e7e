// The alert rules in ops/prometheus, checked by Prometheus's own promtool (Debian package
// prometheus, a separate program): the config and rules load, and every alert fires on the series
// its unit tests give and stays quiet on the near misses.
import { spawnSync } from 'node:child_process';
import { PROMETHEUS_CONFIG, PROMETHEUS_DIR, RULES_TEST_FILE, readRules } from './alert-rules';

function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { cwd: PROMETHEUS_DIR, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('alert rules', () => {
  it('load into Prometheus with the local scrape config', () => {
    const check = promtool('check', 'config', PROMETHEUS_CONFIG);
    expect(check).toEqual({ status: 0, output: expect.stringContaining(`SUCCESS: ${readRules().length} rules found`) });
  });

  it("pass promtool's unit tests", () => {
    const run = promtool('test', 'rules', RULES_TEST_FILE);
    expect(run).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });
});
