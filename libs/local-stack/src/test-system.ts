// The apps as real child processes (their built bundles) against dynalite, kinesalite and the
// machine's Redis, each run under its own key, queue and table prefixes: for integration tests
// and benchmarks of whole apps.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import {
  createDynamoClient,
  createKinesisClient,
  ensureStreams,
  ensureTables,
  streamDefinitions,
  tableDefinitions,
} from '@manga-assist/aws';
import { ensureLocalIssuerKeys, mintLocalToken } from '@manga-assist/auth';
import type { MintOptions } from '@manga-assist/auth';
import type { AppName, ServerFrame } from '@manga-assist/contracts';
import { deleteKeysWithPrefix, freePort, spawnProcess, startDynalite, startKinesalite, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import type { SpawnedProcess } from '@manga-assist/testing';

const ROOT = path.resolve(__dirname, '../../..');
export const TEST_CONTROL_TOKEN = 'control-token-for-tests-0123456789';

const PORT_VARIABLE: Record<AppName, string> = {
  'chat-gateway': 'GATEWAY_PORT',
  'prefetch-scheduler': 'SCHEDULER_PORT',
  'post-processor': 'POST_PROCESSOR_PORT',
  'health-checker': 'HEALTH_CHECKER_PORT',
};

export interface TestSystem {
  env: Record<string, string>;
  dynamoEndpoint: string;
  kinesisEndpoint: string;
  tablePrefix: string;
  keyPrefix: string;
  queuePrefix: string;
  /** Base URL of each app started (its first process when it has replicas). */
  urls: Partial<Record<AppName, string>>;
  /** Base URL of every process of each app started, in order (`replicas`). */
  replicaUrls: Partial<Record<AppName, string[]>>;
  /** The process serving a base URL from `urls`, `replicaUrls` or `spawn`. */
  processAt(url: string): SpawnedProcess;
  processes: SpawnedProcess[];
  /** A bearer token for `userId` from the system's local issuer (AUTH_MODE=local, as under `npm start`). */
  token(userId: string, options?: MintOptions): Promise<string>;
  /** Stops the DynamoDB engine (dynalite), as an outage would; `startDynamo` brings it back with its data. */
  stopDynamo(): Promise<void>;
  startDynamo(): Promise<void>;
  /** Starts another process of an app (a second replica) with the same environment. */
  spawn(app: AppName, extraEnv?: Record<string, string>): Promise<{ process: SpawnedProcess; url: string }>;
  stop(): Promise<void>;
}

export interface TestSystemOptions {
  apps: AppName[];
  env?: Record<string, string>;
  /** Wait for /readyz of every app (default true). */
  waitReady?: boolean;
  readyTimeoutMs?: number;
  /** Keep dynalite's tables on disk here, so it can be stopped and started again with its data. */
  dynamoPath?: string;
  /**
   * Processes per app (default 1), each on a port of its own and with `INSTANCE_ID=<app>-<n>`
   * (from 1), all against the same Redis, tables and streams: several gateways behind a load
   * balancer, post-processors sharing the queues, schedulers sharing the slots.
   */
  replicas?: Partial<Record<AppName, number>>;
}

/**
 * Settings every test run of the apps shares, as processes or in-process: the vector index kept
 * once per machine (it is keyed by catalog and embedder), the local model at test speed, quiet logs.
 */
export const TEST_APP_ENV: Readonly<Record<string, string>> = {
  INDEX_DIR: path.join(os.tmpdir(), 'manga-assist-test-index'),
  LOCAL_HAIKU_FIRST_TOKEN_MS: '5',
  LOCAL_HAIKU_TOKEN_MS: '0',
  LOCAL_SONNET_FIRST_TOKEN_MS: '10',
  LOCAL_SONNET_TOKEN_MS: '0',
  LOG_LEVEL: 'warn',
  // The gateway's fair limits, out of the way: tests and benchmarks speak as one user from one
  // address far faster than a person. The limits' own tests set theirs.
  LIMIT_MESSAGES: '100000',
  LIMIT_CONNECTIONS_PER_USER: '100000',
  LIMIT_CONNECTIONS_PER_IP: '1000000',
  LIMIT_NEW_CONNECTIONS_PER_IP_PER_SECOND: '100000',
  LIMIT_WEBHOOKS_PER_SOURCE_PER_SECOND: '100000',
  LIMIT_ANALYSES_PER_HOUR: '100000',
  // A stopped gateway drains at once (no load balancer to move away from); drain tests set it.
  DRAIN_NOT_READY_MS: '0',
};

export async function startTestSystem({ apps, env: extraEnv = {}, waitReady = true, readyTimeoutMs = 120_000, dynamoPath, replicas = {} }: TestSystemOptions): Promise<TestSystem> {
  for (const app of apps) appBundlePath(app); // a missing build fails here at once, not after the ready timeout
  const label = uniquePrefix('sys').replace(/[^\w]/g, '');
  const keyPrefix = `${label}:`;
  const tablePrefix = `${label}-`;
  const [firstDynamo, kinesis] = await Promise.all([startDynalite({ path: dynamoPath }), startKinesalite()]);
  let dynamo = firstDynamo;
  let dynamoUp = true;
  const region = 'ap-northeast-1';
  const dynamoClient = createDynamoClient({ region, endpoint: dynamo.endpoint });
  const kinesisClient = createKinesisClient({ region, endpoint: kinesis.endpoint });
  await ensureTables(dynamoClient, tableDefinitions(tablePrefix));
  await ensureStreams(kinesisClient, streamDefinitions(tablePrefix));
  dynamoClient.destroy();
  kinesisClient.destroy();
  // Each system has its own local issuer; tests mint tokens with it exactly as `npm run token` does.
  const keyDir = mkdtempSync(path.join(os.tmpdir(), 'manga-assist-auth-'));
  const issuerKeys = await ensureLocalIssuerKeys(keyDir);

  const env: Record<string, string> = {
    REDIS_URL: testRedisUrl(),
    CONTROL_TOKEN: TEST_CONTROL_TOKEN,
    AWS_REGION: region,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    KINESIS_ENDPOINT: kinesis.endpoint,
    TABLE_PREFIX: tablePrefix,
    KEY_PREFIX: keyPrefix,
    QUEUE_PREFIX: label,
    ...TEST_APP_ENV,
    AUTH_MODE: 'local',
    AUTH_LOCAL_KEY_DIR: keyDir,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const app of ['chat-gateway', 'prefetch-scheduler', 'post-processor', 'health-checker'] as AppName[]) {
    env[PORT_VARIABLE[app]] = String(await freePort());
  }
  env['SCHEDULER_URL'] = `http://127.0.0.1:${env['SCHEDULER_PORT']}`;
  env['POST_PROCESSOR_URL'] = `http://127.0.0.1:${env['POST_PROCESSOR_PORT']}`;
  env['HEALTH_CHECKER_URL'] = `http://127.0.0.1:${env['HEALTH_CHECKER_PORT']}`;
  Object.assign(env, extraEnv);

  const processes: SpawnedProcess[] = [];
  const byUrl = new Map<string, SpawnedProcess>();
  const run = async (app: AppName, overrides: Record<string, string> = {}) => {
    const appEnv = { ...env, ...overrides };
    const child = spawnProcess(process.execPath, [appBundlePath(app)], { cwd: ROOT, env: appEnv });
    processes.push(child);
    const url = `http://127.0.0.1:${appEnv[PORT_VARIABLE[app]]}`;
    byUrl.set(url, child);
    return { process: child, url };
  };
  // An app that exits before it is ready fails at once, quoting what it printed.
  const ready = async (url: string, child: SpawnedProcess, app: string) => {
    const quoted = () => `; its output:\n${child.output().slice(-3000)}`;
    const stopPolling = new AbortController();
    const exited = child.exited.then((exit) => {
      stopPolling.abort();
      throw new Error(`${app} exited (code ${exit.code}, signal ${exit.signal}) before it was ready${quoted()}`);
    });
    const polled = waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, {
      timeoutMs: readyTimeoutMs,
      intervalMs: 200,
      description: `${app} ready`,
      signal: stopPolling.signal,
    }).catch((error: Error) => {
      throw new Error(`${error.message}${quoted()}`, { cause: error });
    });
    // Once ready, a later exit settles a race already decided (and handled by it).
    await Promise.race([polled, exited]);
  };

  const urls: Partial<Record<AppName, string>> = {};
  const replicaUrls: Partial<Record<AppName, string[]>> = {};
  // The first process of each app keeps the port the others are told about (SCHEDULER_URL, …).
  const planned: { app: AppName; overrides: Record<string, string> }[] = [];
  for (const app of apps) {
    const n = replicas[app] ?? 1;
    for (let i = 0; i < n; i++) {
      const overrides: Record<string, string> = n > 1 ? { INSTANCE_ID: `${app}-${i + 1}` } : {};
      if (i > 0) overrides[PORT_VARIABLE[app]] = String(await freePort());
      planned.push({ app, overrides });
    }
  }
  const started = await Promise.all(planned.map(async ({ app, overrides }) => ({ app, ...(await run(app, overrides)) })));
  for (const { app, url } of started) (replicaUrls[app] ??= []).push(url);
  for (const app of apps) urls[app] = replicaUrls[app]?.[0];

  const system: TestSystem = {
    env,
    dynamoEndpoint: dynamo.endpoint,
    kinesisEndpoint: kinesis.endpoint,
    tablePrefix,
    keyPrefix,
    queuePrefix: label,
    urls,
    replicaUrls,
    processAt(url) {
      const child = byUrl.get(url);
      if (!child) throw new Error(`no process of this system serves ${url}`);
      return child;
    },
    processes,
    token: (userId, options) => mintLocalToken(issuerKeys, userId, options),
    async stopDynamo() {
      dynamoUp = false;
      await dynamo.stop();
    },
    async startDynamo() {
      dynamo = await startDynalite({ path: dynamoPath, port: dynamo.port });
      dynamoUp = true;
    },
    async spawn(app, extra = {}) {
      const port = String(await freePort());
      const started = await run(app, { ...extra, [PORT_VARIABLE[app]]: port });
      await ready(started.url, started.process, app);
      return started;
    },
    async stop() {
      await Promise.all(processes.map((p) => p.stop('SIGTERM', { killAfterMs: 10_000 })));
      await Promise.all([dynamoUp ? dynamo.stop() : undefined, kinesis.stop()]);
      const redis = new Redis(testRedisUrl());
      await deleteKeysWithPrefix(redis, keyPrefix);
      redis.disconnect();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
  // Nothing is left running when an app does not come up.
  if (waitReady) {
    try {
      await Promise.all(started.map(({ app, url, process: child }) => ready(url, child, app)));
    } catch (error) {
      await system.stop().catch(() => undefined);
      throw error;
    }
  }
  return system;
}

/** A chat client over a real WebSocket that collects frames per request. */
export class ChatClient {
  readonly frames: ServerFrame[] = [];
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(JSON.parse(String(data)) as ServerFrame));
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** Connects with `token` as the Authorization header (the way server-side clients do). */
  static async connect(url: string, { token, headers = {} }: { token?: string; headers?: Record<string, string> } = {}): Promise<ChatClient> {
    const socket = new WebSocket(url, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    const client = new ChatClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await waitFor(() => client.frames.some((f) => f.type === 'ready'), { timeoutMs: 5000, description: 'ready frame' });
    return client;
  }

  get ready() {
    const frame = this.frames.find((f) => f.type === 'ready');
    if (frame?.type !== 'ready') throw new Error('no ready frame');
    return frame;
  }

  sendRaw(data: string | Buffer, binary = false) {
    this.socket.send(data, { binary });
  }

  /** Sends a message and resolves with its frames once `done` or `error` arrives. */
  async ask(text: string, requestId = `r${Math.random().toString(36).slice(2, 10)}`, timeoutMs = 15_000) {
    this.sendRaw(JSON.stringify({ action: 'sendMessage', requestId, text }));
    return this.framesFor(requestId, timeoutMs);
  }

  async framesFor(requestId: string, timeoutMs = 15_000) {
    await waitFor(() => this.frames.some((f) => (f.type === 'done' || f.type === 'error') && f.requestId === requestId), {
      timeoutMs,
      description: `done or error for ${requestId}`,
    });
    return this.frames.filter((f) => 'requestId' in f && f.requestId === requestId);
  }

  /** Resolves with the close code and reason once the server or client closes the socket. */
  readonly closed: Promise<{ code: number; reason: string }>;

  close() {
    this.socket.close();
  }
}

/** The built bundle of an app; throws, naming the build command, when it has not been built. */
export function appBundlePath(app: AppName, root: string = ROOT): string {
  const bundle = path.join(root, 'dist/apps', app, 'main.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} does not exist: build the apps first (npx nx run-many -t build)`);
  return bundle;
}
