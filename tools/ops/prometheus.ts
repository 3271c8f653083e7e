// A real Prometheus (Debian package prometheus) scraping the apps with the rules in ops/prometheus,
// on fast intervals, for tests: what an operator's Prometheus would see, in seconds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, spawnProcess, waitFor } from '@manga-assist/testing';
import type { SpawnedProcess } from '@manga-assist/testing';
import { RULES_FILE } from './alert-rules';

export interface PrometheusAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
}

export interface PrometheusRule {
  name: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  lastEvaluation: string;
}

export interface RunningPrometheus {
  url: string;
  /** An instant query's result vector. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  alerts(): Promise<PrometheusAlert[]>;
  rules(): Promise<PrometheusRule[]>;
  stop(): Promise<void>;
}

async function api<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? res.status}`);
  return body.data;
}

/** Starts Prometheus with one job per app (named as the app) and the product's rule file. */
export async function startPrometheus(targets: Record<string, number>, { intervalS = 1 } = {}): Promise<RunningPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manga-assist-prometheus-'));
  const config = [
    'global:',
    `  scrape_interval: ${intervalS}s`,
    `  evaluation_interval: ${intervalS}s`,
    'rule_files:',
    `  - ${JSON.stringify(RULES_FILE)}`,
    'scrape_configs:',
    ...Object.entries(targets).flatMap(([job, port]) => [`  - job_name: ${job}`, '    static_configs:', `      - targets: ['127.0.0.1:${port}']`]),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: SpawnedProcess;
  try {
    child = spawnProcess('prometheus', [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
    await waitFor(async () => (await fetch(`${url}/-/ready`).catch(() => null))?.status === 200, {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: 'prometheus ready',
    });
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    query: (promql) => api(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`).then((d) => (d as { result: never }).result),
    alerts: () => api<{ alerts: PrometheusAlert[] }>(`${url}/api/v1/alerts`).then((d) => d.alerts),
    rules: () => api<{ groups: { rules: PrometheusRule[] }[] }>(`${url}/api/v1/rules`).then((d) => d.groups.flatMap((g) => g.rules)),
    async stop() {
      await child.stop('SIGTERM', { killAfterMs: 10_000 });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
