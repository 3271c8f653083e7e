import { z } from 'zod';
import { LineageSchema } from './lineage.schema';

/** Who may deliver webhooks: each source has its own secret, queue, concurrency and rate limit. */
export const WEBHOOK_SOURCES = ['catalog', 'payments', 'reviews'] as const;
export const WebhookSourceSchema = z.enum(WEBHOOK_SOURCES);
export type WebhookSource = z.infer<typeof WebhookSourceSchema>;

/** A catalog delivery is split by the receiver into jobs of at most this many items. */
export const CATALOG_ITEMS_PER_JOB = 10;
/** Largest webhook body accepted (bytes); a bigger one is answered 413. */
export const WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;
/** Signatures older or newer than this are refused (Standard Webhooks and Stripe alike). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

const delivery = {
  /** The job's identity: the delivery's id, plus the part number for a split catalog batch. */
  eventId: z.string().min(1),
  /** `webhook-id` (Standard Webhooks) or the Stripe event id. */
  webhookId: z.string().min(1),
  receivedAt: z.iso.datetime(),
};

/** A publisher's catalog update: up to 10 catalog items (each checked against the catalog item schema). */
export const CatalogUpdateJobSchema = z.object({
  ...delivery,
  part: z.number().int().nonnegative(),
  items: z.array(z.record(z.string(), z.unknown())).min(1).max(CATALOG_ITEMS_PER_JOB),
  ...LineageSchema.shape,
});
export type CatalogUpdateJob = z.input<typeof CatalogUpdateJobSchema>;

/** A verified Stripe event. */
export const PaymentEventJobSchema = z.object({
  ...delivery,
  type: z.string().min(1),
  event: z.record(z.string(), z.unknown()),
  ...LineageSchema.shape,
});
export type PaymentEventJob = z.input<typeof PaymentEventJobSchema>;

/** A review posted on the store (Standard Webhooks). */
export const ReviewEventJobSchema = z.object({
  ...delivery,
  payload: z.record(z.string(), z.unknown()),
  ...LineageSchema.shape,
});
export type ReviewEventJob = z.input<typeof ReviewEventJobSchema>;

/** The body of a catalog delivery: the items the publisher added or changed. */
export const CatalogDeliverySchema = z.object({
  items: z.array(z.record(z.string(), z.unknown())).min(1),
});

/**
 * Published on Redis when catalog items were stored: every gateway instance applies them to its
 * in-memory catalog and vector index.
 */
export const CatalogChangeSchema = z.object({
  items: z.array(z.record(z.string(), z.unknown())).min(1),
});
export type CatalogChange = z.infer<typeof CatalogChangeSchema>;

export const WEBHOOK_ERROR_CODES = ['unknown_source', 'invalid_signature', 'invalid_body', 'body_too_large', 'overloaded', 'unavailable', 'rate_limited'] as const;
export type WebhookErrorCode = (typeof WEBHOOK_ERROR_CODES)[number];
export const WebhookErrorSchema = z.object({
  error: z.object({
    code: z.enum(WEBHOOK_ERROR_CODES),
    message: z.string(),
    /** rate_limited: milliseconds until the source's next delivery is taken (also `Retry-After`, in seconds). */
    retryAfterMs: z.number().int().nonnegative().optional(),
  }),
});
export type WebhookError = z.infer<typeof WebhookErrorSchema>;

/** What the receiver answers once a delivery is queued (or recognised as a duplicate). */
export const WebhookAckSchema = z.object({
  received: z.literal(true),
  duplicate: z.boolean(),
  /** Jobs queued for this delivery (0 for a duplicate). */
  jobs: z.number().int().nonnegative(),
});
export type WebhookAck = z.infer<typeof WebhookAckSchema>;
