import type { Redis } from 'ioredis';
import type { JobHandler } from '@manga-assist/queue';
import type { Registry } from '@manga-assist/telemetry';
import { createWebhookEventCounter } from './webhook-events';

export interface ReviewEventJobDeps {
  redis: Redis;
  keyPrefix: string;
  registry: Registry;
}

const RECORD_TTL_SECONDS = 7 * 24 * 3600;

/** Records a posted review under its delivery id for the store's moderation list. */
export function createReviewEventJob({ redis, keyPrefix, registry }: ReviewEventJobDeps): JobHandler<'webhook-reviews'> {
  const events = createWebhookEventCounter(registry);
  return async ({ webhookId, payload, receivedAt }) => {
    const first = await redis.set(`${keyPrefix}reviews:event:${webhookId}`, JSON.stringify({ receivedAt, payload }), 'EX', RECORD_TTL_SECONDS, 'NX');
    events.inc({ source: 'reviews', result: first ? 'new' : 'repeat' });
    return { recorded: Boolean(first) };
  };
}
