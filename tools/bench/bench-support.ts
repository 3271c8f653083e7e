// Shared pieces of the benchmarks: HDR histograms in microseconds, a percentile table, and the
// apps started as real processes under their own prefixes and ports.
import { build } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { AppName } from '@manga-assist/contracts';
import { startTestSystem } from '@manga-assist/local-stack';

export function histogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

const ms = (us: number) => (us / 1000).toFixed(2).padStart(9);

/** One row per histogram: count, p50, p95, p99, max in ms. */
export function table(rows: [string, Histogram][]): string {
  const head = `${'measurement'.padEnd(44)}${'n'.padStart(7)}${'p50 ms'.padStart(10)}${'p95 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'max ms'.padStart(10)}`;
  const lines = rows.map(
    ([name, h]) =>
      `${name.padEnd(44)}${String(h.totalCount).padStart(7)} ${ms(h.getValueAtPercentile(50))} ${ms(h.getValueAtPercentile(95))} ${ms(h.getValueAtPercentile(99))} ${ms(h.maxValue)}`,
  );
  return [head, ...lines].join('\n');
}

export interface BenchSystem {
  gatewayUrl: string;
  /** The chat socket's URL, carrying a bench user's token as `access_token`. */
  wsUrl: string;
  /** A bench user's bearer token (for HTTP doors). */
  token: string;
  env: Record<string, string>;
  /** Process id of each app started. */
  pids: Partial<Record<AppName, number>>;
  /** What an app has printed so far (its most recent output). */
  output(app: AppName): string;
  stop(): Promise<void>;
}

/** The given apps as real processes (built bundles) on their own prefixes, every one of them ready. */
export async function startBenchSystem(extraEnv: Record<string, string>, apps: AppName[] = ['chat-gateway', 'post-processor']): Promise<BenchSystem> {
  const system = await startTestSystem({ apps, env: extraEnv, readyTimeoutMs: 300_000 });
  const gatewayUrl = system.urls['chat-gateway']!;
  const pids = Object.fromEntries(apps.map((app, i) => [app, system.processes[i]!.child.pid!]));
  const output = (app: AppName) => system.processes[apps.indexOf(app)]?.output() ?? '';
  const token = await system.token('bench-user', { ttlSeconds: 6 * 3600 });
  return { gatewayUrl, wsUrl: `${gatewayUrl.replace('http', 'ws')}/ws?access_token=${token}`, token, env: system.env, pids, output, stop: () => system.stop() };
}
