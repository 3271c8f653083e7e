import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Redis } from 'ioredis';
import { UnrecoverableError } from 'bullmq';
import { batchWriteAll, toAttributeMap } from '@manga-assist/aws';
import { invalidateSharedTitles } from '@manga-assist/cache';
import { CatalogItemSchema } from '@manga-assist/catalog';
import type { CatalogItem } from '@manga-assist/catalog';
import type { JobHandler } from '@manga-assist/queue';
import { publishCatalogChange } from '@manga-assist/retrieval';
import type { Logger, Registry } from '@manga-assist/telemetry';
import { createWebhookEventCounter } from './webhook-events';

export interface CatalogUpdateJobDeps {
  dynamo: DynamoDBClient;
  productsTable: string;
  redis: Redis;
  keyPrefix: string;
  registry: Registry;
  log: Pick<Logger, 'info' | 'warn'>;
}

// How long a job's items are remembered as applied, so a re-run (a worker killed after storing
// them) is counted as a repeat; every step is an overwrite, so the re-run itself is harmless.
const APPLIED_TTL_SECONDS = 24 * 3600;

/**
 * Applies up to 10 catalog items from a publisher: stores them in the products table, deletes the
 * cached answers that named them, and records + publishes the change so every gateway's catalog
 * and vector index learn them.
 */
export function createCatalogUpdateJob({ dynamo, productsTable, redis, keyPrefix, registry, log }: CatalogUpdateJobDeps): JobHandler<'webhook-catalog'> {
  const events = createWebhookEventCounter(registry);
  return async ({ eventId, items: raw }) => {
    const items: CatalogItem[] = raw.map((value, i) => {
      const item = CatalogItemSchema.safeParse(value);
      // The receiver checked every item; one that fails here cannot pass on a retry either.
      if (!item.success) throw new UnrecoverableError(`item ${i} is not a catalog item: ${item.error.issues[0]?.message ?? 'invalid'}`);
      return item.data;
    });
    await batchWriteAll(
      dynamo,
      productsTable,
      items.map((item) => ({ PutRequest: { Item: toAttributeMap({ ...item, productId: item.id }) } })),
    );
    const ids = items.map((item) => item.id);
    const invalidated = await invalidateSharedTitles(redis, keyPrefix, ids);
    const listening = await publishCatalogChange(redis, keyPrefix, items);
    const first = await redis.set(`${keyPrefix}webhooks:applied:${eventId}`, '1', 'EX', APPLIED_TTL_SECONDS, 'NX');
    events.inc({ source: 'catalog', result: first ? 'new' : 'repeat' }, items.length);
    if (invalidated > 0) log.info({ eventId, titles: ids.length, invalidated }, 'cached answers naming changed titles deleted');
    return { items: items.length, invalidated, gateways: listening };
  };
}
