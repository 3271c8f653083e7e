// Shared pieces of the benchmarks: HDR histograms in microseconds, a percentile table, and the
// apps started as real processes under their own prefixes and ports.
import { build } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { AppName } from '@manga-assist/contracts';
import path from 'node:path';
import { startTestSystem } from '@manga-assist/local-stack';
import { spawnProcess } from '@manga-assist/testing';
import type { SpawnedProcess } from '@manga-assist/testing';

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

/** The stand-in model server (tools/bench/model-stand-in.ts) as its own process; resolves with its URL once it listens. */
export async function startModelStandInProcess(timing: { firstTokenMs: number; perTokenMs: number; tokens: number }): Promise<{ url: string; process: SpawnedProcess }> {
  const child = spawnProcess(process.execPath, [require.resolve('tsx/cli'), '--tsconfig', 'tools/tsconfig.json', path.join(__dirname, 'model-stand-in.ts')], {
    env: { STAND_IN_FIRST_TOKEN_MS: String(timing.firstTokenMs), STAND_IN_TOKEN_MS: String(timing.perTokenMs), STAND_IN_TOKENS: String(timing.tokens) },
  });
  const [, url] = await child.waitForOutput(/listening (http:\/\/\S+)/, 30_000);
  return { url: url!, process: child };
}
