// Starts the real gateway and post-processor (built bundles, child processes) against dynalite,
// kinesalite and the machine's Redis, each test run under its own key, queue and table prefixes.
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
import type { ServerFrame } from '@manga-assist/contracts';
import { deleteKeysWithPrefix, freePort, spawnProcess, startDynalite, startKinesalite, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import type { LocalEngine, SpawnedProcess } from '@manga-assist/testing';

const ROOT = path.resolve(__dirname, '../../..');
export const CONTROL_TOKEN = 'control-token-for-tests-0123456789';

export interface System {
  gatewayUrl: string;
  wsUrl: string;
  env: Record<string, string>;
  dynamoEndpoint: string;
  tablePrefix: string;
  keyPrefix: string;
  gateway: SpawnedProcess;
  postProcessor: SpawnedProcess;
  stop(): Promise<void>;
}

export async function startSystem(extraEnv: Record<string, string> = {}): Promise<System> {
  const label = uniquePrefix('gw').replace(/[^\w]/g, '');
  const keyPrefix = `${label}:`;
  const tablePrefix = `${label}-`;
  const [dynamo, kinesis]: LocalEngine[] = await Promise.all([startDynalite(), startKinesalite()]);
  const region = 'ap-northeast-1';
  const dynamoClient = createDynamoClient({ region, endpoint: dynamo.endpoint });
  const kinesisClient = createKinesisClient({ region, endpoint: kinesis.endpoint });
  await ensureTables(dynamoClient, tableDefinitions(tablePrefix));
  await ensureStreams(kinesisClient, streamDefinitions(tablePrefix));
  dynamoClient.destroy();
  kinesisClient.destroy();

  const [gatewayPort, postProcessorPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    REDIS_URL: testRedisUrl(),
    CONTROL_TOKEN,
    AWS_REGION: region,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    KINESIS_ENDPOINT: kinesis.endpoint,
    TABLE_PREFIX: tablePrefix,
    KEY_PREFIX: keyPrefix,
    QUEUE_PREFIX: label,
    // The index is keyed by catalog and embedder, so every run on this machine can share it.
    INDEX_DIR: path.join(os.tmpdir(), 'manga-assist-test-index'),
    GATEWAY_PORT: String(gatewayPort),
    POST_PROCESSOR_PORT: String(postProcessorPort),
    LOCAL_HAIKU_FIRST_TOKEN_MS: '5',
    LOCAL_HAIKU_TOKEN_MS: '0',
    LOCAL_SONNET_FIRST_TOKEN_MS: '10',
    LOCAL_SONNET_TOKEN_MS: '0',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const run = (app: string) => spawnProcess(process.execPath, [path.join(ROOT, 'dist/apps', app, 'main.js')], { cwd: ROOT, env });
  const postProcessor = run('post-processor');
  const gateway = run('chat-gateway');
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const ready = async (url: string) => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200;
  await waitFor(() => ready(gatewayUrl), { timeoutMs: 90_000, intervalMs: 200, description: `gateway ready:\n${gateway.output()}` });
  await waitFor(() => ready(`http://127.0.0.1:${postProcessorPort}`), { timeoutMs: 30_000, description: 'post-processor ready' });

  return {
    gatewayUrl,
    wsUrl: `ws://127.0.0.1:${gatewayPort}/ws`,
    env,
    dynamoEndpoint: dynamo.endpoint,
    tablePrefix,
    keyPrefix,
    gateway,
    postProcessor,
    async stop() {
      await Promise.all([gateway.stop('SIGTERM'), postProcessor.stop('SIGTERM')]);
      await Promise.all([dynamo.stop(), kinesis.stop()]);
      const redis = new Redis(testRedisUrl());
      await deleteKeysWithPrefix(redis, keyPrefix);
      await deleteKeysWithPrefix(redis, `${label}:`);
      redis.disconnect();
    },
  };
}

/** A chat client over a real WebSocket that collects frames per request. */
export class ChatClient {
  readonly frames: ServerFrame[] = [];
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(JSON.parse(String(data)) as ServerFrame));
  }

  static async connect(url: string): Promise<ChatClient> {
    const socket = new WebSocket(url);
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

  close() {
    this.socket.close();
  }
}
