// Loop guards on review moderation, with the post-processor in-process (createApp) on the real Redis
// and BullMQ, and the model behind it a stand-in server reached through the real OpenAI SDK, which
// counts every model call: a wiring that feeds suggested replies back into moderation stops at
// depth 3, processed input is refused and dead-lettered with its reason, and a flood of flagged
// reviews costs at most the breaker's budget of model calls while chat's queue keeps draining.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createJsonlAuditSink } from '@manga-assist/audit';
import { createDynamoClient, createKinesisClient } from '@manga-assist/aws';
import { createSharedResponseCache } from '@manga-assist/cache';
import { loadConfig } from '@manga-assist/config';
import type { AnsweredJob, ReviewReply } from '@manga-assist/contracts';
import { createDeadLetterQueue, createJobProducer, createQueueSet, jobIdFor } from '@manga-assist/queue';
import type { JobProducer, QueueSet } from '@manga-assist/queue';
import { createRedisConnection } from '@manga-assist/redis';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';
import { createTestLogger, deleteKeysWithPrefix, freePort, startModelStandIn, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import type { ModelStandIn } from '@manga-assist/testing';
import { createApp } from '../src/app';
import type { PostProcessorApp } from '../src/app';
import { postProcessorConfigSchema } from '../src/config';
import { createRedisReviewReplySink, listReviewReplies } from '../src/review-moderation';
import type { ReviewReplySink } from '../src/review-moderation';

jest.setTimeout(60_000);

// A review the guardrails flag: it carries a phone number.
const FLAGGED_REVIEW = '配送が遅すぎる！至急 090-1234-5678 に電話してください。';

interface Harness {
  app: PostProcessorApp;
  url: string;
  registry: Registry;
  keyPrefix: string;
  queues: QueueSet;
  producer: JobProducer;
  redis: Redis;
  stop(): Promise<void>;
}

let standIn: ModelStandIn;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  standIn = await startModelStandIn({ firstTokenMs: 10, perTokenMs: 1, tokens: 6 });
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
afterAll(() => standIn?.close());

/**
 * Starts the post-processor draining the reviews queue (and answered-batch, the queue chat's
 * answers arrive on), with the reply sink a wiring gives it.
 */
async function startPostProcessor(env: Record<string, string>, sinkFor?: (defaults: ReviewReplySink, producer: JobProducer) => ReviewReplySink): Promise<Harness> {
  const label = uniquePrefix('loop').replace(/[^\w]/g, '');
  const auditDir = mkdtempSync(path.join(os.tmpdir(), 'pp-loop-audit-'));
  const config = loadConfig(postProcessorConfigSchema, {
    REDIS_URL: testRedisUrl(),
    CONTROL_TOKEN: 'control-token-for-tests-0123456789',
    AWS_REGION: 'ap-northeast-1',
    // Never reached: only the queues below are drained, and they need only Redis.
    DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    KINESIS_ENDPOINT: 'http://127.0.0.1:9',
    TABLE_PREFIX: `${label}-`,
    KEY_PREFIX: `${label}:k:`,
    QUEUE_PREFIX: label,
    POST_PROCESSOR_PORT: String(await freePort()),
    AUDIT_DIR: auditDir,
    QUEUES: 'webhook-reviews',
    MODEL_PROVIDER: 'openai',
    OPENAI_BASE_URL: `${standIn.url}/v1`,
    OPENAI_API_KEY: 'stand-in',
    ...env,
  });
  const logger = createLogger({ app: 'post-processor', level: 'error' });
  const registry = createMetricsRegistry('post-processor', { defaultMetrics: false });
  const redis = createRedisConnection({ url: config.REDIS_URL, name: 'loop-guards-test', logger, registry });
  const producer = createJobProducer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, log: createTestLogger() });
  const defaults = createRedisReviewReplySink({ redis: redis.redis, keyPrefix: config.KEY_PREFIX });
  const app = createApp({
    config,
    logger,
    registry,
    redis,
    dynamo: createDynamoClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT }),
    kinesis: createKinesisClient({ region: config.AWS_REGION, endpoint: config.KINESIS_ENDPOINT }),
    cache: createSharedResponseCache({ redis: redis.redis, keyPrefix: config.KEY_PREFIX, log: logger }),
    audit: createJsonlAuditSink({ dir: auditDir }),
    reviewReplySink: sinkFor?.(defaults, producer),
    handleSignals: false,
  });
  const { url } = await app.start();
  await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => null))?.status === 200, { timeoutMs: 20_000, description: 'post-processor ready' });
  const queues = createQueueSet({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  const observer = new Redis(testRedisUrl());
  const harness: Harness = {
    app,
    url,
    registry,
    keyPrefix: config.KEY_PREFIX,
    queues,
    producer,
    redis: observer,
    async stop() {
      await app.stop();
      await producer.close();
      await queues.close();
      await deleteKeysWithPrefix(observer, `${label}:`);
      observer.disconnect();
      rmSync(auditDir, { recursive: true, force: true });
    },
  };
  cleanups.push(() => harness.stop());
  return harness;
}

let reviewSeq = 0;
/** A review delivery as the gateway's webhook receiver queues it (lineage left to its defaults: from the edge). */
function review(text: string) {
  const id = `msg_${++reviewSeq}_${randomBytes(4).toString('hex')}`;
  return { eventId: id, webhookId: id, receivedAt: new Date().toISOString(), payload: { rating: 1, text } };
}

const metricValue = async (registry: Registry, line: RegExp): Promise<number | undefined> => {
  const match = (await registry.metrics()).match(line);
  return match ? Number(match[1]) : undefined;
};

const modelCalls = () => standIn.stats().openai;

describe('loop guards on review moderation', () => {
  beforeEach(() => standIn.reset());

  it('stores a suggested reply for a flagged review, one step from the edge and processed, and asks the model nothing for a clean one', async () => {
    const pp = await startPostProcessor({});
    const flagged = review(FLAGGED_REVIEW);
    const clean = review('絵がきれいで大満足です。続きも買います。');
    pp.producer.enqueue('webhook-reviews', flagged);
    pp.producer.enqueue('webhook-reviews', clean);
    const reviews = pp.queues.get('webhook-reviews');
    await waitFor(async () => (await reviews.getJobState(jobIdFor('webhook-reviews', clean))) === 'completed', { timeoutMs: 10_000, description: 'clean review done' });
    const replies = await waitFor(async () => ((await listReviewReplies(pp.redis, pp.keyPrefix)).length === 1 ? listReviewReplies(pp.redis, pp.keyPrefix) : null), {
      timeoutMs: 10_000,
      description: 'a suggested reply',
    });
    expect(replies[0]).toMatchObject({ eventId: flagged.eventId, flagged: ['personal_data'], model: 'haiku', chainDepth: 1, processingStage: 'processed' });
    // The model saw the review with the phone number redacted, and answered (the stand-in's answer starts "Answer").
    expect(replies[0]!.review).not.toContain('090-1234-5678');
    expect(replies[0]!.reply).toMatch(/^Answer [0-9a-f]{8}:/);
    expect(modelCalls()).toBe(1);
    expect((await reviews.getJob(jobIdFor('webhook-reviews', clean)))?.returnvalue).toEqual({ recorded: true, moderation: 'clean' });
    // The terminal sink emitted nothing: no job waits in the reviews queue.
    expect(await reviews.getJobCountByTypes('waiting', 'delayed', 'active')).toBe(0);
  });

  it('stops a wiring that feeds every suggested reply back into moderation (twice over) at depth 3, after 1 + 2 + 4 model calls', async () => {
    const fedBack: string[] = [];
    // The mis-wired rule of the incident: each stored reply goes back to moderation as two new
    // review events (a catch-all rule with two targets) that quote the review, relabelled `raw`,
    // and keep the reply's depth.
    const pp = await startPostProcessor({}, (defaults, producer) => ({
      has: defaults.has,
      async store(reply: ReviewReply) {
        await defaults.store(reply);
        for (const target of ['a', 'b']) {
          const id = `${reply.eventId}.${target}`;
          fedBack.push(id);
          producer.enqueue('webhook-reviews', {
            eventId: id,
            webhookId: id,
            receivedAt: new Date().toISOString(),
            payload: { text: `${FLAGGED_REVIEW}\n> ${reply.reply}` },
            chainDepth: reply.chainDepth,
            processingStage: 'raw',
          });
        }
      },
    }));
    pp.producer.enqueue('webhook-reviews', review(FLAGGED_REVIEW));

    const deadLetters = createDeadLetterQueue({ queues: pp.queues });
    const letters = await waitFor(
      async () => {
        const page = await deadLetters.list({ queue: 'webhook-reviews', offset: 0, limit: 100 });
        return page.total >= 8 ? page.items : null;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: 'the 8 depth-3 events dead-lettered' },
    );
    // Let anything still running finish: the chain has stopped, nothing more arrives.
    await new Promise((r) => setTimeout(r, 500));
    expect(modelCalls()).toBe(7);
    expect((await listReviewReplies(pp.redis, pp.keyPrefix)).map((r) => r.chainDepth).sort()).toEqual([1, 2, 2, 3, 3, 3, 3]);
    expect(fedBack).toHaveLength(14);
    expect(letters).toHaveLength(8);
    for (const letter of letters) {
      expect(letter).toMatchObject({ queue: 'webhook-reviews', reason: 'chain_depth_exceeded', payload: { chainDepth: 3, processingStage: 'raw' } });
      expect(letter.error).toMatch(/^loop guard \(chain_depth_exceeded\): refused chainDepth 3/);
      // Refused, not retried: one attempt.
      expect(letter.attempts).toHaveLength(1);
    }
    expect(await metricValue(pp.registry, /^manga_assist_loop_guard_refusals_total\{queue="webhook-reviews",reason="chain_depth_exceeded"[^}]*\} (\d+)$/m)).toBe(8);
    expect(await metricValue(pp.registry, /^manga_assist_jobs_dead_lettered_total\{queue="webhook-reviews"[^}]*\} (\d+)$/m)).toBe(8);
    expect(await pp.queues.get('webhook-reviews').getJobCountByTypes('waiting', 'delayed', 'active')).toBe(0);
  });

  it('refuses processed input at once: a reply fed back as it is never reaches the model, and is dead-lettered with the reason', async () => {
    const pp = await startPostProcessor({}, (defaults, producer) => ({
      has: defaults.has,
      async store(reply: ReviewReply) {
        await defaults.store(reply);
        // The reply handed on as it is, its lineage intact.
        const id = `${reply.eventId}.fed`;
        producer.enqueue('webhook-reviews', { eventId: id, webhookId: id, receivedAt: reply.createdAt, payload: { text: `${reply.review}\n> ${reply.reply}` }, chainDepth: reply.chainDepth, processingStage: reply.processingStage });
      },
    }));
    const original = review(FLAGGED_REVIEW);
    pp.producer.enqueue('webhook-reviews', original);
    const deadLetters = createDeadLetterQueue({ queues: pp.queues });
    const letter = await waitFor(async () => (await deadLetters.list({ queue: 'webhook-reviews', offset: 0, limit: 10 })).items[0] ?? null, {
      timeoutMs: 10_000,
      description: 'the fed-back reply dead-lettered',
    });
    expect(letter).toMatchObject({
      jobId: `webhook-reviews.${original.eventId}.fed`,
      reason: 'processed_input',
      payload: { chainDepth: 1, processingStage: 'processed' },
      error: expect.stringMatching(/^loop guard \(processed_input\)/),
    });
    expect(modelCalls()).toBe(1);
    expect(await metricValue(pp.registry, /^manga_assist_loop_guard_refusals_total\{queue="webhook-reviews",reason="processed_input"[^}]*\} (\d+)$/m)).toBe(1);
    // Not even recorded as a review: the guard runs before anything else.
    expect(await pp.redis.exists(`${pp.keyPrefix}reviews:event:${original.eventId}.fed`)).toBe(0);
  });

  it('pauses the reviews queue under a flood once 5 model calls are used, raises the alert gauge, keeps chat draining, and resumes when the window has room', async () => {
    const WINDOW_MS = 4000;
    const pp = await startPostProcessor({ MODEL_COST_BREAKER_CALLS_PER_5M: '5', MODEL_COST_BREAKER_WINDOW_MS: String(WINDOW_MS) });
    const open = () => metricValue(pp.registry, /^manga_assist_model_cost_breaker_open(?:\{[^}]*\})? (\d+)$/m);
    expect(await open()).toBe(0);

    const started = Date.now();
    for (let i = 0; i < 50; i++) pp.producer.enqueue('webhook-reviews', review(`${FLAGGED_REVIEW} (${i})`));
    await waitFor(async () => (await open()) === 1, { timeoutMs: 5000, intervalMs: 20, description: 'breaker open' });
    const reviews = pp.queues.get('webhook-reviews');

    // Chat's answers keep arriving and fanning out while the reviews queue is held.
    const traceId = randomBytes(16).toString('hex');
    pp.producer.enqueue('answered-batch', { batchId: traceId, answers: [answered(traceId)] });
    await waitFor(async () => (await pp.queues.get('answered-batch').getJobState(`answered-batch.${traceId}`)) === 'completed', {
      timeoutMs: 3000,
      description: "chat's answered-batch job drained while reviews are paused",
    });

    // Held for the rest of the window: the model got 5 calls, the other reviews wait.
    await new Promise((r) => setTimeout(r, Math.max(0, WINDOW_MS - 1000 - (Date.now() - started))));
    expect(await open()).toBe(1);
    expect(modelCalls()).toBe(5);
    expect((await listReviewReplies(pp.redis, pp.keyPrefix)).length).toBe(5);
    expect(await reviews.getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBeGreaterThanOrEqual(45);
    expect(await metricValue(pp.registry, /^manga_assist_model_cost_breaker_calls(?:\{[^}]*\})? (\d+)$/m)).toBe(5);

    // The calls age out of the window: the breaker closes, the queue resumes, and the next 5 go through.
    await waitFor(async () => modelCalls() >= 6, { timeoutMs: WINDOW_MS + 3000, intervalMs: 50, description: 'reviews resumed' });
    await waitFor(async () => (await open()) === 1, { timeoutMs: 3000, intervalMs: 20, description: 'breaker open again after the next 5' });
    expect(modelCalls()).toBe(10);
    expect(await metricValue(pp.registry, /^manga_assist_jobs_dead_lettered_total\{queue="webhook-reviews"[^}]*\} (\d+)$/m)).toBeUndefined();
  });
});

function answered(traceId: string): AnsweredJob {
  const at = new Date().toISOString();
  return {
    traceId,
    at,
    requestId: 'r-1',
    question: '今週の人気マンガは？',
    answer: '『ワンピース』が人気です。',
    model: 'haiku',
    sessionId: 's-loop',
    connectionId: null,
    intent: 'trending',
    titleIds: [],
    scope: { intent: 'trending', filters: {}, titleIds: [], language: 'ja' },
    cacheTtlSeconds: 0,
    timings: {},
    degraded: [],
    turn: { seq: 1, requestId: 'r-1', user: '今週の人気マンガは？', assistant: '『ワンピース』が人気です。', intent: 'trending', at },
  };
}
