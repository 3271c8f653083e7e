// The post-processor run in-process through createApp, on the real Redis, dynalite and kinesalite:
// an answered-batch job handed over as the gateway does becomes a stored session, analytics events,
// audit records and cache entries, and stop() closes everything it opened.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { readStreamRecords } from '@manga-assist/analytics';
import { createJsonlAuditSink } from '@manga-assist/audit';
import { createDynamoClient, createKinesisClient, ensureStreams, ensureTables, streamDefinitions, tableDefinitions } from '@manga-assist/aws';
import { cacheKeyFor, createSharedResponseCache } from '@manga-assist/cache';
import { loadConfig } from '@manga-assist/config';
import type { AnalyticsEvent, AnsweredJob, CacheScope } from '@manga-assist/contracts';
import { createJobProducer } from '@manga-assist/queue';
import { createRedisConnection } from '@manga-assist/redis';
import { createSessionStore } from '@manga-assist/sessions';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { createTestLogger, deleteKeysWithPrefix, freePort, startDynalite, startKinesalite, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import type { LocalEngine } from '@manga-assist/testing';
import { createApp } from '../src/app';
import type { PostProcessorApp } from '../src/app';
import { postProcessorConfigSchema } from '../src/config';

jest.setTimeout(60_000);

const REGION = 'ap-northeast-1';
const scope: CacheScope = { intent: 'recommendation', filters: {}, titleIds: [], language: 'ja' };
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

function answer(seq: number, text: string, over: Partial<AnsweredJob> = {}): AnsweredJob {
  const at = new Date().toISOString();
  const question = `質問 ${seq}: おすすめの少年マンガは？`;
  return {
    traceId: randomBytes(16).toString('hex'),
    at,
    requestId: `req-${seq}`,
    question,
    answer: text,
    model: 'haiku',
    sessionId: 'in-process-session',
    userId: 'u-1',
    connectionId: null,
    intent: 'recommendation',
    titleIds: [],
    scope,
    cacheTtlSeconds: 3600,
    timings: { e2e: 800 },
    degraded: [],
    turn: { seq, requestId: `req-${seq}`, user: question, assistant: text, intent: 'recommendation', at },
    ...over,
  };
}

describe('post-processor in-process (createApp)', () => {
  const label = uniquePrefix('ppapp').replace(/[^\w]/g, '');
  const auditDir = mkdtempSync(path.join(os.tmpdir(), 'pp-app-audit-'));
  let engines: LocalEngine[] = [];
  let app: PostProcessorApp | undefined;

  afterAll(async () => {
    await app?.stop();
    await Promise.all(engines.map((e) => e.stop()));
    const cleanup = new Redis(testRedisUrl());
    await deleteKeysWithPrefix(cleanup, `${label}:`);
    cleanup.disconnect();
    rmSync(auditDir, { recursive: true, force: true });
  });

  it('turns a handed-over batch into its session turns, events, audit records and cache entries', async () => {
    engines = await Promise.all([startDynalite(), startKinesalite()]);
    const [dynamoEngine, kinesisEngine] = engines as [LocalEngine, LocalEngine];
    const config = loadConfig(postProcessorConfigSchema, {
      REDIS_URL: testRedisUrl(),
      CONTROL_TOKEN: 'control-token-for-tests-0123456789',
      AWS_REGION: REGION,
      DYNAMODB_ENDPOINT: dynamoEngine.endpoint,
      KINESIS_ENDPOINT: kinesisEngine.endpoint,
      TABLE_PREFIX: `${label}-`,
      KEY_PREFIX: `${label}:k:`,
      QUEUE_PREFIX: label,
      POST_PROCESSOR_PORT: String(await freePort()),
      AUDIT_DIR: auditDir,
    });
    const tables = tableDefinitions(config.TABLE_PREFIX);
    const streams = streamDefinitions(config.TABLE_PREFIX);
    const dynamo = createDynamoClient({ region: REGION, endpoint: dynamoEngine.endpoint });
    const kinesis = createKinesisClient({ region: REGION, endpoint: kinesisEngine.endpoint });
    await ensureTables(dynamo, tables);
    await ensureStreams(kinesis, streams);

    const logger = createLogger({ app: 'post-processor', level: 'error' });
    const registry = createMetricsRegistry('post-processor', { defaultMetrics: false });
    const redis = createRedisConnection({ url: config.REDIS_URL, name: 'post-processor-test', logger, registry });
    app = createApp({
      config,
      logger,
      registry,
      redis,
      dynamo,
      kinesis,
      cache: createSharedResponseCache({ redis: redis.redis, keyPrefix: config.KEY_PREFIX, log: logger }),
      audit: createJsonlAuditSink({ dir: auditDir }),
      handleSignals: false,
    });
    const { url } = await app.start();
    await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, { timeoutMs: 20_000, description: 'post-processor ready' });

    // As the gateway hands answers over: a fresh answer, one that leaks a phone number, a cached one.
    const fresh = answer(1, '『作品1』がおすすめです。');
    const leaky = answer(2, '『作品2』がおすすめです。お問い合わせは 090-1234-5678 まで。');
    const fromCache = answer(3, '『作品1』がおすすめです。', { model: 'cache', cacheTtlSeconds: 0 });
    const answers = [fresh, leaky, fromCache];
    const producer = createJobProducer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, log: createTestLogger() });
    producer.enqueue('answered-batch', { batchId: fresh.traceId, answers });
    expect(await producer.flush()).toBe(true);
    await producer.close();

    const sessions = createSessionStore({
      dynamo,
      redis: redis.redis,
      tables: { sessions: tables.sessions.TableName, turns: tables.turns.TableName },
      keyPrefix: config.KEY_PREFIX,
      log: silent,
    });
    const session = await waitFor(
      async () => {
        const { session: s } = await sessions.load('in-process-session');
        return s?.lastSeq === 3 ? s : null;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: 'three turns stored' },
    );
    expect(session.turns.map((t) => t.requestId)).toEqual(['req-1', 'req-2', 'req-3']);

    const events = await waitFor(
      async () => {
        const records = await readStreamRecords({ kinesis, streamName: streams.analytics.StreamName });
        const parsed = records.map((r) => JSON.parse(Buffer.from(r.data).toString('utf8')) as AnalyticsEvent);
        return parsed.length >= 3 ? parsed : null;
      },
      { timeoutMs: 20_000, intervalMs: 200, description: 'three analytics events' },
    );
    expect(events.map((e) => e.eventId).sort()).toEqual(answers.map((a) => a.traceId).sort());
    expect(events.find((e) => e.eventId === fromCache.traceId)).toMatchObject({ cached: true });

    const audited = await waitFor(
      () => {
        const lines = readdirSync(auditDir).flatMap((f) => readFileSync(path.join(auditDir, f), 'utf8').split('\n').filter(Boolean));
        return lines.length >= 3 ? lines.map((l) => JSON.parse(l) as { traceId: string; answer: string }) : null;
      },
      { timeoutMs: 20_000, description: 'three audit records' },
    );
    expect(audited.map((a) => a.traceId).sort()).toEqual(answers.map((a) => a.traceId).sort());
    expect(audited.find((a) => a.traceId === leaky.traceId)?.answer).not.toContain('090-1234-5678');

    // The fresh answer is cached; the leaky one is withheld (it would be served to everyone).
    const entry = (a: AnsweredJob) => `${config.KEY_PREFIX}rc:e:${cacheKeyFor(a.question, scope).entryId}`;
    await waitFor(async () => (await redis.redis.exists(entry(fresh))) === 1, { timeoutMs: 20_000, description: 'fresh answer cached' });
    const cacheWrites = await waitFor(
      async () => {
        const body = await registry.metrics();
        return /manga_assist_cache_writes_total\{result="withheld"[^}]*\} 1/.test(body) ? body : null;
      },
      { timeoutMs: 20_000, description: 'leaky answer withheld from the cache' },
    );
    expect(cacheWrites).toMatch(/manga_assist_cache_writes_total\{result="written"[^}]*\} 1/);
    expect(await redis.redis.exists(entry(leaky))).toBe(0);

    await app.stop();
    app = undefined;
    // stop() closed the server and the app's connections.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await waitFor(() => redis.redis.status === 'end', { timeoutMs: 5000, description: 'Redis connection closed' });
  });
});
