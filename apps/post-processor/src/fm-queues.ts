import { QUEUES } from '@manga-assist/queue';
import type { QueueName } from '@manga-assist/queue';

/**
 * The queues whose jobs may call the model, one line each. Their consumers get the loop guard
 * (lineage.schema.ts: depth ≥ 3 and processed input are refused and dead-lettered) and the model
 * cost breaker pauses exactly these workers. Chat is never among them: the gateway answers in its
 * own process, and the jobs it hands over here do not call the model.
 */
export const FM_QUEUES: readonly QueueName[] = [
  // Review moderation: a flagged review gets a suggested store reply from Haiku.
  QUEUES.webhookReviews,
  // Long analyses: Sonnet, up to 4096 tokens each.
  QUEUES.analysis,
];
