import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@manga-assist/aws';
import { freePort, waitFor } from '@manga-assist/testing';
import { findExecutable } from './find-executable';
import { pingRedis, redisErrorText } from './redis-ping';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface ResolveRedisOptions {
  /** An explicit Redis (REDIS_URL): used as is, and it must answer. */
  redisUrl?: string;
  /** A spawned redis-server gets `<dataDir>/redis` as its working directory. */
  dataDir: string;
  log: Logger;
  /** Tried when no redisUrl is given, before spawning one. */
  defaultUrl?: string;
  /** Name or path of the server binary to spawn. */
  redisServer?: string;
  startTimeoutMs?: number;
}

export interface ResolvedRedis {
  url: string;
  /** Only a Redis we spawned is ever stopped by stop(). */
  startedByUs: boolean;
  stop(): Promise<void>;
}

export const REDIS_INSTALL_HINT =
  'install it (apt-get install redis-server, or brew install redis) or set REDIS_URL to a running Redis';

/**
 * Finds a Redis for the local stack: REDIS_URL if given, else the machine's default instance,
 * else a redis-server spawned from PATH on a free port.
 *
 * A spawned server keeps nothing on disk (`--save "" --appendonly no`): Redis holds cache entries,
 * queues and locks that the apps rebuild, the durable data lives in DynamoDB under the data
 * directory, and this matches both the machines' default Redis and production's cache role.
 */
export async function resolveRedis(options: ResolveRedisOptions): Promise<ResolvedRedis> {
  const { redisUrl, log } = options;
  const notOurs = (url: string): ResolvedRedis => ({ url, startedByUs: false, stop: async () => undefined });

  if (redisUrl !== undefined) {
    try {
      await pingRedis(redisUrl);
    } catch (error) {
      throw new Error(`REDIS_URL ${redactUrl(redisUrl)} does not answer PING: ${redisErrorText(error)}`, { cause: error });
    }
    log.info({ redis: redactUrl(redisUrl) }, 'using Redis from REDIS_URL');
    return notOurs(redisUrl);
  }

  const defaultUrl = options.defaultUrl ?? DEFAULT_REDIS_URL;
  try {
    await pingRedis(defaultUrl);
    log.info({ redis: defaultUrl }, 'using the Redis already running');
    return notOurs(defaultUrl);
  } catch {
    // Nothing there: spawn one below.
  }

  const binary = await findExecutable(options.redisServer ?? 'redis-server');
  if (binary === undefined) {
    throw new Error(`Redis is not running on ${defaultUrl} and redis-server is not on PATH: ${REDIS_INSTALL_HINT}`);
  }
  return spawnRedis(binary, options);
}

async function spawnRedis(binary: string, { dataDir, log, startTimeoutMs = 10_000 }: ResolveRedisOptions): Promise<ResolvedRedis> {
  const dir = path.resolve(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  // Same process group as ours: Ctrl-C in a terminal stops it along with the stack.
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      keep(Buffer.from(`\n${error.message}`));
      resolve();
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  try {
    await waitFor(
      async () => {
        if (hasExited) throw new Error('exited');
        await pingRedis(url, { timeoutMs: 500 });
        return true;
      },
      { timeoutMs: startTimeoutMs, intervalMs: 50, description: `redis-server on port ${port}` },
    );
    if (hasExited) throw new Error('exited');
  } catch (error) {
    await stopChild(child, exited);
    throw new Error(`redis-server (${binary}) did not start on port ${port}: ${redisErrorText(error)}\n${output.trim()}`, {
      cause: error,
    });
  }
  log.info({ redis: url, pid: child.pid }, 'started redis-server (no persistence)');

  let stopping: Promise<void> | undefined;
  return {
    url,
    startedByUs: true,
    stop() {
      stopping ??= stopChild(child, exited).then(() => log.info({ redis: url }, 'stopped redis-server'));
      return stopping;
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>, killAfterMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(killer);
}

/** A REDIS_URL may carry a password; logs and errors show it without. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
