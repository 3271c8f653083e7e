// The model cost breaker end to end: the built gateway and post-processor as child processes on the
// real Redis, 50 flagged reviews delivered as signed webhooks through the gateway, the
// post-processor's model a stand-in server (reached through the OpenAI SDK) that counts its calls.
// The post-processor stops at its budget of 5 calls and raises the alert gauge, while a chat
// through the gateway still answers.
import { Redis } from 'ioredis';
import type { WebhookAck } from '@manga-assist/contracts';
import { startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import { createQueueSet } from '@manga-assist/queue';
import type { QueueSet } from '@manga-assist/queue';
import { standardWebhookHeaders, startModelStandIn, testRedisUrl, waitFor, webhookSecrets } from '@manga-assist/testing';
import type { ModelStandIn } from '@manga-assist/testing';
import { listReviewReplies } from '../src/review-moderation';

jest.setTimeout(120_000);

const REVIEWS = 50;
const BUDGET = 5;
const secrets = webhookSecrets();

describe('model cost breaker through the gateway', () => {
  let standIn: ModelStandIn;
  let system: TestSystem;
  let postProcessor: string;
  let queues: QueueSet;
  let redis: Redis;

  beforeAll(async () => {
    standIn = await startModelStandIn({ firstTokenMs: 10, perTokenMs: 1, tokens: 6 });
    // The gateway answers chat with the local model; only the post-processor talks to the stand-in.
    system = await startTestSystem({ apps: ['chat-gateway'], env: { WEBHOOK_SECRET_REVIEWS: secrets.standard } });
    ({ url: postProcessor } = await system.spawn('post-processor', {
      MODEL_PROVIDER: 'openai',
      OPENAI_BASE_URL: `${standIn.url}/v1`,
      OPENAI_API_KEY: 'stand-in',
      MODEL_COST_BREAKER_CALLS_PER_5M: String(BUDGET),
    }));
    queues = createQueueSet({ redisUrl: testRedisUrl(), prefix: system.queuePrefix });
    redis = new Redis(testRedisUrl());
  });

  afterAll(async () => {
    await queues?.close();
    redis?.disconnect();
    await system?.stop();
    await standIn?.close();
  });

  const metric = async (url: string, name: string): Promise<number | undefined> => {
    const match = (await (await fetch(`${url}/metrics`)).text()).match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm'));
    return match ? Number(match[1]) : undefined;
  };

  it('stops a flood of flagged reviews at the budget of model calls, raises the alert gauge, and chat still answers', async () => {
    const gateway = system.urls['chat-gateway']!;
    expect(await metric(postProcessor, 'manga_assist_model_cost_breaker_open')).toBe(0);

    const acks = await Promise.all(
      Array.from({ length: REVIEWS }, async (_, i) => {
        const id = `msg_flood_${i}`;
        const body = JSON.stringify({ rating: 1, text: `届いた本が破れていました。${i} 回目です。至急 090-1234-5678 まで連絡ください。` });
        const response = await fetch(`${gateway}/v1/webhooks/reviews`, { method: 'POST', body, headers: standardWebhookHeaders(secrets.standard, id, body) });
        return { status: response.status, json: (await response.json()) as WebhookAck };
      }),
    );
    expect(acks.filter((a) => a.status === 200 && a.json.jobs === 1)).toHaveLength(REVIEWS);

    await waitFor(async () => (await metric(postProcessor, 'manga_assist_model_cost_breaker_open')) === 1, {
      timeoutMs: 20_000,
      intervalMs: 100,
      description: 'cost breaker open',
    });

    // Chat through the gateway answers while the post-processor holds its model-calling queue.
    const response = await fetch(`${gateway}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${await system.token('u-breaker')}` },
      body: JSON.stringify({ text: '今週の人気マンガは？' }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { text: string }).text.length).toBeGreaterThan(0);

    // Give jobs already running time to reach the model: none gets past the budget.
    await new Promise((r) => setTimeout(r, 1000));
    expect(standIn.stats().openai).toBe(BUDGET);
    expect(await listReviewReplies(redis, system.keyPrefix)).toHaveLength(BUDGET);
    expect(await queues.get('webhook-reviews').getJobCountByTypes('waiting', 'delayed', 'prioritized')).toBe(REVIEWS - BUDGET);
    expect(await metric(postProcessor, 'manga_assist_model_cost_breaker_calls')).toBe(BUDGET);
    // Open, not unready: the process keeps serving and draining every other queue.
    expect((await fetch(`${postProcessor}/readyz`)).status).toBe(200);
  });
});
