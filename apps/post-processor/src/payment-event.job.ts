import type { Redis } from 'ioredis';
import type { JobHandler } from '@manga-assist/queue';
import type { Registry } from '@manga-assist/telemetry';
import { createWebhookEventCounter } from './webhook-events';

export interface PaymentEventJobDeps {
  redis: Redis;
  keyPrefix: string;
  registry: Registry;
}

// Stripe retries an event for up to three days.
const RECORD_TTL_SECONDS = 3 * 24 * 3600;

/**
 * Records a verified Stripe event under its id (the order side reads it from there). An event
 * already recorded, re-run after a crash, changes nothing and is counted as a repeat.
 */
export function createPaymentEventJob({ redis, keyPrefix, registry }: PaymentEventJobDeps): JobHandler<'webhook-payments'> {
  const events = createWebhookEventCounter(registry);
  return async ({ webhookId, type, event, receivedAt }) => {
    const record = JSON.stringify({ type, receivedAt, processedAt: new Date().toISOString(), event });
    const first = await redis.set(`${keyPrefix}payments:event:${webhookId}`, record, 'EX', RECORD_TTL_SECONDS, 'NX');
    events.inc({ source: 'payments', result: first ? 'new' : 'repeat' });
    return { recorded: Boolean(first) };
  };
}
