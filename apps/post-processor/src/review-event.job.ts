import type { Redis } from 'ioredis';
import type { JobHandler } from '@manga-assist/queue';
import type { Registry } from '@manga-assist/telemetry';
import type { ReviewModeration } from './review-moderation';
import { createWebhookEventCounter } from './webhook-events';

export interface ReviewEventJobDeps {
  redis: Redis;
  keyPrefix: string;
  registry: Registry;
  /** Guardrail check and, for a flagged review, a suggested reply (review-moderation.ts). */
  moderation?: ReviewModeration;
}

const RECORD_TTL_SECONDS = 7 * 24 * 3600;

/** Records a posted review under its delivery id for the store's moderation list, then moderates it. */
export function createReviewEventJob({ redis, keyPrefix, registry, moderation }: ReviewEventJobDeps): JobHandler<'webhook-reviews'> {
  const events = createWebhookEventCounter(registry);
  return async (data, job) => {
    const { webhookId, payload, receivedAt } = data;
    const first = await redis.set(`${keyPrefix}reviews:event:${webhookId}`, JSON.stringify({ receivedAt, payload }), 'EX', RECORD_TTL_SECONDS, 'NX');
    events.inc({ source: 'reviews', result: first ? 'new' : 'repeat' });
    if (!moderation) return { recorded: Boolean(first) };
    return { recorded: Boolean(first), ...(await moderation.moderate(data, job)) };
  };
}
