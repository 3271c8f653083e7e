import type { Redis } from 'ioredis';
import { createSubscriberConnection } from '@manga-assist/redis';
import { CatalogItemSchema } from '@manga-assist/catalog';
import type { CatalogItem } from '@manga-assist/catalog';
import { CatalogChangeSchema } from '@manga-assist/contracts';
import type { RetrievalLogger } from './logger';
import type { ProductRetriever } from './product-retriever';

/**
 * How a catalog update reaches every gateway instance: the worker that stores an item also writes
 * it to one Redis hash (every change since the shipped catalog file, by id) and publishes it on one
 * channel. A running gateway applies what is published; a gateway that starts later reads the hash
 * once its catalog is loaded, so no instance misses an update that happened while it was away.
 */
export const catalogChangesKey = (keyPrefix: string) => `${keyPrefix}catalog:changes`;
export const catalogChannel = (keyPrefix: string) => `${keyPrefix}catalog:changed`;

/** Records items as changed and tells every gateway instance; resolves with how many instances listen. */
export async function publishCatalogChange(redis: Redis, keyPrefix: string, items: readonly CatalogItem[]): Promise<number> {
  if (items.length === 0) return 0;
  const change = CatalogChangeSchema.parse({ items });
  const [, published] = ((await redis
    .multi()
    .hset(catalogChangesKey(keyPrefix), Object.fromEntries(items.map((item) => [item.id, JSON.stringify(item)])))
    .publish(catalogChannel(keyPrefix), JSON.stringify(change))
    .exec()) ?? []) as [unknown, [Error | null, number]?];
  return published?.[1] ?? 0;
}

export interface CatalogFollower {
  /** Resolves once earlier changes are applied and new ones are being received. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export interface FollowCatalogChangesOptions {
  redisUrl: string;
  keyPrefix: string;
  retriever: ProductRetriever;
  log: RetrievalLogger;
  /** Changes arriving within this many ms are applied together (one rebuild of the lookups). */
  coalesceMs?: number;
  /** Called after each applied batch. */
  onApplied?(result: { added: number; changed: number }): void;
  connectionName?: string;
}

/**
 * Keeps a gateway's in-memory catalog and vector index in step with catalog updates: subscribes
 * first, then applies every change recorded so far, then each published one (applying an item
 * twice is harmless: the latest write of an id wins).
 */
export function followCatalogChanges(options: FollowCatalogChangesOptions): CatalogFollower {
  const { redisUrl, keyPrefix, retriever, log, coalesceMs = 200 } = options;
  const connection = createSubscriberConnection({ url: redisUrl, name: options.connectionName ?? 'manga-assist:catalog-changes', label: 'catalog change subscriber', log });
  const subscriber = connection.redis;

  const pending = new Map<string, CatalogItem>();
  let timer: NodeJS.Timeout | undefined;
  let applying = Promise.resolve();
  const parseItems = (raw: readonly unknown[]): CatalogItem[] =>
    raw.flatMap((value) => {
      const item = CatalogItemSchema.safeParse(value);
      if (item.success) return [item.data];
      log.warn({ err: item.error.issues[0]?.message }, 'catalog change subscriber: ignored an item that is not a catalog item');
      return [];
    });
  const apply = () => {
    timer = undefined;
    const items = [...pending.values()];
    pending.clear();
    applying = applying
      .then(() => retriever.upsert(items))
      .then(
        (result) => {
          log.info({ ...result }, 'catalog changes applied');
          options.onApplied?.(result);
        },
        (error: unknown) => log.warn({ err: (error as Error).message }, 'catalog changes could not be applied'),
      );
  };
  const enqueue = (items: readonly CatalogItem[]) => {
    for (const item of items) pending.set(item.id, item);
    timer ??= setTimeout(apply, coalesceMs);
  };

  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== catalogChannel(keyPrefix)) return;
    try {
      enqueue(parseItems(CatalogChangeSchema.parse(JSON.parse(message)).items));
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'catalog change subscriber: ignored a message that is not a catalog change');
    }
  });

  const ready = (async () => {
    await subscriber.subscribe(catalogChannel(keyPrefix));
    const recorded = await subscriber.duplicate({ connectionName: 'manga-assist:catalog-changes-read' });
    try {
      const stored = await recorded.hvals(catalogChangesKey(keyPrefix));
      const items = parseItems(stored.map((text) => JSON.parse(text) as unknown));
      // Chained behind any published change already being applied: the hash is never older than a message.
      if (items.length > 0) {
        applying = applying.then(async () => {
          const result = await retriever.upsert(items);
          log.info({ ...result }, 'catalog changes recorded earlier applied');
        });
      }
    } finally {
      recorded.disconnect();
    }
    await applying;
  })();
  ready.catch(() => undefined);

  return {
    ready,
    async close() {
      clearTimeout(timer);
      await connection.close();
      await applying;
    },
  };
}
