// Runs the built post-processor (dist/apps/post-processor/main.js) as a child process against
// dynalite, kinesalite and the machine's Redis, under prefixes of its own, and gives tests what
// the gateway has: a job producer, plus handles to look at queues, tables, the stream and files.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createDynamoClient, createKinesisClient, ensureStreams, ensureTables, streamDefinitions, tableDefinitions } from '@manga-assist/aws';
import { createJobProducer, createQueueSet } from '@manga-assist/queue';
import type { JobProducer, QueueSet } from '@manga-assist/queue';
import { createTestLogger, deleteKeysWithPrefix, freePort, spawnProcess, startDynalite, startKinesalite, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import type { LocalEngine, SpawnedProcess } from '@manga-assist/testing';

const ROOT = path.resolve(__dirname, '../../..');
export const CONTROL_TOKEN = 'control-token-for-tests-0123456789';
export const REGION = 'ap-northeast-1';

export interface PostProcessorSystem {
  env: Record<string, string>;
  url: string;
  keyPrefix: string;
  queuePrefix: string;
  auditDir: string;
  tables: ReturnType<typeof tableDefinitions>;
  streamName: string;
  redis: Redis;
  dynamo: DynamoDBClient;
  kinesis: KinesisClient;
  producer: JobProducer;
  queues: QueueSet;
  /** The running post-processor (replaced by start()). */
  process(): SpawnedProcess;
  /** Starts a post-processor process (again), with extra variables if given. */
  start(extraEnv?: Record<string, string>): SpawnedProcess;
  /** Waits for /readyz to answer 200. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPostProcessorSystem(extraEnv: Record<string, string> = {}): Promise<PostProcessorSystem> {
  const label = uniquePrefix('pp').replace(/[^\w]/g, '');
  const keyPrefix = `${label}:`;
  const tablePrefix = `${label}-`;
  const auditDir = mkdtempSync(path.join(os.tmpdir(), 'pp-audit-'));
  const [dynamoEngine, kinesisEngine]: LocalEngine[] = await Promise.all([startDynalite(), startKinesalite()]);
  const dynamo = createDynamoClient({ region: REGION, endpoint: dynamoEngine.endpoint });
  const kinesis = createKinesisClient({ region: REGION, endpoint: kinesisEngine.endpoint });
  const tables = tableDefinitions(tablePrefix);
  const streams = streamDefinitions(tablePrefix);
  await ensureTables(dynamo, tables);
  await ensureStreams(kinesis, streams);

  const port = await freePort();
  const env: Record<string, string> = {
    REDIS_URL: testRedisUrl(),
    CONTROL_TOKEN,
    AWS_REGION: REGION,
    DYNAMODB_ENDPOINT: dynamoEngine.endpoint,
    KINESIS_ENDPOINT: kinesisEngine.endpoint,
    TABLE_PREFIX: tablePrefix,
    KEY_PREFIX: keyPrefix,
    QUEUE_PREFIX: label,
    POST_PROCESSOR_PORT: String(port),
    AUDIT_DIR: auditDir,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const url = `http://127.0.0.1:${port}`;
  const redis = new Redis(testRedisUrl());
  const producer = createJobProducer({ redisUrl: testRedisUrl(), prefix: label, log: createTestLogger(), spillLimit: 50_000 });
  const queues = createQueueSet({ redisUrl: testRedisUrl(), prefix: label });
  const main = path.join(ROOT, 'dist/apps/post-processor/main.js');
  let current: SpawnedProcess | undefined;

  const system: PostProcessorSystem = {
    env,
    url,
    keyPrefix,
    queuePrefix: label,
    auditDir,
    tables,
    streamName: streams.analytics.StreamName,
    redis,
    dynamo,
    kinesis,
    producer,
    queues,
    process() {
      if (!current) throw new Error('post-processor not started');
      return current;
    },
    start(more = {}) {
      current = spawnProcess(process.execPath, [main], { cwd: ROOT, env: { ...env, ...more } });
      return current;
    },
    async ready(timeoutMs = 30_000) {
      await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, {
        timeoutMs,
        intervalMs: 100,
        description: `post-processor ready:\n${current?.output().slice(-3000)}`,
      });
    },
    async stop() {
      await current?.stop('SIGTERM');
      await producer.close();
      await queues.close();
      dynamo.destroy();
      kinesis.destroy();
      await Promise.all([dynamoEngine.stop(), kinesisEngine.stop()]);
      await deleteKeysWithPrefix(redis, keyPrefix);
      await deleteKeysWithPrefix(redis, `${label}:`);
      redis.disconnect();
      rmSync(auditDir, { recursive: true, force: true });
    },
  };
  return system;
}
