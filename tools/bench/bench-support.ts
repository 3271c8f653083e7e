// Shared pieces of the benchmarks: HDR histograms in microseconds, a percentile table, and the
// local system (stack + built apps) started under its own data dir, prefixes and ports.
import os from 'node:os';
import path from 'node:path';
import { build } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { startLocalStack } from '@manga-assist/local-stack';
import type { LocalStack } from '@manga-assist/local-stack';
import { freePort, spawnProcess, waitFor } from '@manga-assist/testing';
import type { SpawnedProcess } from '@manga-assist/testing';

export const ROOT = path.resolve(__dirname, '../..');

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
  wsUrl: string;
  stack: LocalStack;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The stack under `.data/bench` (the catalog import happens once) and the built gateway and
 * post-processor, with the given extra environment.
 */
export async function startBenchSystem(extraEnv: Record<string, string>, apps = ['chat-gateway', 'post-processor']): Promise<BenchSystem> {
  const quiet = { info: () => undefined, warn: () => undefined, error: (o: object, m?: string) => console.error(m, o) };
  const stack = await startLocalStack({
    dataDir: path.join(ROOT, '.data/bench'),
    dynamoPort: await freePort(),
    kinesisPort: await freePort(),
    log: quiet,
  });
  const label = `bench${process.pid}`;
  const gatewayPort = await freePort();
  const env: Record<string, string> = {
    REDIS_URL: stack.redisUrl,
    DYNAMODB_ENDPOINT: stack.dynamoEndpoint,
    KINESIS_ENDPOINT: stack.kinesisEndpoint,
    TABLE_PREFIX: stack.tablePrefix,
    KEY_PREFIX: `${label}:`,
    QUEUE_PREFIX: label,
    CONTROL_TOKEN: 'bench-control-token-0123456789',
    INDEX_DIR: path.join(os.tmpdir(), 'manga-assist-test-index'),
    GATEWAY_PORT: String(gatewayPort),
    POST_PROCESSOR_PORT: String(await freePort()),
    SCHEDULER_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extraEnv,
  };
  const children: SpawnedProcess[] = apps.map((app) =>
    spawnProcess(process.execPath, [path.join(ROOT, 'dist/apps', app, 'main.js')], { cwd: ROOT, env }),
  );
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  await waitFor(async () => (await fetch(`${gatewayUrl}/readyz`).catch(() => null))?.status === 200, {
    timeoutMs: 120_000,
    intervalMs: 250,
    description: 'gateway ready',
  });
  return {
    gatewayUrl,
    wsUrl: `ws://127.0.0.1:${gatewayPort}/ws`,
    stack,
    env,
    async stop() {
      await Promise.all(children.map((c) => c.stop('SIGTERM')));
      await stack.stop();
    },
  };
}
