// The alert rules in ops/prometheus read as data: every alert is shown firing by a promtool unit
// test and carries its labels. promtool itself runs them in alert-rules.int.test.ts. That the rules
// read only metrics the apps export is checked against the running system in
// tools/dev/start.int.test.ts.
import fs from 'node:fs';
import { RULES_FILE, alertsFiredInTests, exposedNames, metricNames, metricsReadByRules, readRules } from './alert-rules';

describe('alert rules', () => {
  it('are each shown firing by at least one unit test', () => {
    const alerts = readRules().flatMap((r) => (r.alert ? [r.alert] : []));
    const fired = alertsFiredInTests();
    expect(alerts.filter((a) => !fired.get(a))).toEqual([]);
    // Every `- alert:` line of the file was read.
    expect(alerts).toHaveLength(fs.readFileSync(RULES_FILE, 'utf8').match(/^\s*- alert: /gm)?.length ?? -1);
  });

  it('carry a severity of page or ticket, a summary and a description', () => {
    for (const rule of readRules() as { alert?: string; labels?: { severity?: string }; annotations?: Record<string, string> }[]) {
      if (!rule.alert) continue;
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({ alert: rule.alert, severity: expect.stringMatching(/^(page|ticket)$/) });
      expect(Object.keys(rule.annotations ?? {}).sort()).toEqual(['description', 'summary']);
    }
  });
});

describe('metricNames', () => {
  it('finds the metrics of an expression, not its functions, labels, keywords or durations', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le) (rate(manga_assist_chat_segment_seconds_bucket{segment="total", app=~"a|b"}[1m]))) > 2',
      ),
    ).toEqual(['manga_assist_chat_segment_seconds_bucket']);
    expect(metricNames('manga_assist_segment_p95_seconds > 1.2 * manga_assist_segment_budget_seconds')).toEqual([
      'manga_assist_segment_p95_seconds',
      'manga_assist_segment_budget_seconds',
    ]);
    expect(metricNames('probe_ssl_earliest_cert_expiry - time() < 14 * 86400 and on (endpoint) up offset 5m')).toEqual([
      'probe_ssl_earliest_cert_expiry',
      'up',
    ]);
    expect(metricNames('sum(x:rate2m{outcome!="answered"} or vector(0)) / sum(x:rate2m)')).toEqual(['x:rate2m']);
  });

  it('leaves out recorded series and the ones Prometheus makes itself', () => {
    const names = metricsReadByRules();
    expect(names).toContain('manga_assist_chat_requests_total');
    expect(names).toContain('probe_baseline_margin_seconds');
    expect(names).not.toContain('up');
    expect(names.some((n) => n.includes(':'))).toBe(false);
  });
});

describe('exposedNames', () => {
  it("names each family, and a histogram's buckets, sum and count", () => {
    const names = exposedNames(
      [
        '# HELP manga_assist_ready Whether the app is ready.',
        '# TYPE manga_assist_ready gauge',
        'manga_assist_ready{app="x"} 1',
        '# TYPE manga_assist_job_duration_seconds histogram',
      ].join('\n'),
    );
    expect([...names].sort()).toEqual([
      'manga_assist_job_duration_seconds',
      'manga_assist_job_duration_seconds_bucket',
      'manga_assist_job_duration_seconds_count',
      'manga_assist_job_duration_seconds_sum',
      'manga_assist_ready',
    ]);
  });
});
