import { Counter } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

/** One counter for every webhook source's processed events, so a dashboard can set them side by side. */
export function createWebhookEventCounter(registry: Registry): Counter<'source' | 'result'> {
  const existing = registry.getSingleMetric('manga_assist_webhook_events_total');
  if (existing) return existing as Counter<'source' | 'result'>;
  return new Counter({
    name: 'manga_assist_webhook_events_total',
    help: 'Webhook events processed (a catalog item counts as one), by source and whether they were new or a repeat.',
    labelNames: ['source', 'result'],
    registers: [registry],
  });
}
