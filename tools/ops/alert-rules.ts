// Reads the Prometheus rule file in ops/prometheus: its alerts, and the metric names its
// expressions read, so tests can hold the rules to what the apps really export.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const PROMETHEUS_DIR = path.resolve(__dirname, '../../ops/prometheus');
export const RULES_FILE = path.join(PROMETHEUS_DIR, 'manga-assist.rules.yml');
export const RULES_TEST_FILE = path.join(PROMETHEUS_DIR, 'manga-assist.rules.test.yml');
export const PROMETHEUS_CONFIG = path.join(PROMETHEUS_DIR, 'prometheus.yml');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}

interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

interface RuleTestFile {
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

/** Series Prometheus makes itself rather than reads from a target. */
const SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'ALERTS', 'ALERTS_FOR_STATE']);

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

export function readRules(file = RULES_FILE): Rule[] {
  const parsed = parse(fs.readFileSync(file, 'utf8')) as RuleFile;
  return parsed.groups.flatMap((g) => g.rules);
}

/** Every alert with the number of test cases that expect it to fire. */
export function alertsFiredInTests(file = RULES_TEST_FILE): Map<string, number> {
  const parsed = parse(fs.readFileSync(file, 'utf8')) as RuleTestFile;
  const fired = new Map<string, number>();
  for (const test of parsed.tests) {
    for (const check of test.alert_rule_test ?? []) {
      const firing = (check.exp_alerts ?? []).length > 0 ? 1 : 0;
      fired.set(check.alertname, (fired.get(check.alertname) ?? 0) + firing);
    }
  }
  return fired;
}

/**
 * The metric names a PromQL expression reads: identifiers that are not functions, keywords,
 * label names (inside `{}` or after by/without/on/ignoring) or durations.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range and subquery durations
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const rest = stripped.slice((match.index ?? 0) + name.length);
    if (/^\s*\(/.test(rest) || KEYWORDS.has(name.toLowerCase())) continue; // a function call or keyword
    const before = stripped.slice(0, match.index);
    if (/[0-9.]$/.test(before)) continue; // the unit of a number such as 1e3 or 5m
    names.add(name);
  }
  return [...names];
}

/** The metrics the rules read from the apps (not their own recorded series, not Prometheus's). */
export function metricsReadByRules(rules = readRules()): string[] {
  const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
  const names = new Set(rules.flatMap((r) => metricNames(r.expr)));
  return [...names].filter((n) => !recorded.has(n) && !SYNTHETIC.has(n)).sort();
}

/**
 * The names a Prometheus text exposition can be queried by: each family from its `# TYPE` line,
 * and a histogram's or summary's `_bucket`, `_sum` and `_count` series.
 */
export function exposedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (!type) continue;
    const [, name, kind] = type as unknown as [string, string, string];
    names.add(name);
    if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (kind === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}
