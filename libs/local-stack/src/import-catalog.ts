import { GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { batchWriteAll, fromAttributeMap, toAttributeMap } from '@manga-assist/aws';
import type { Item, Logger } from '@manga-assist/aws';

/** What the import needs of a catalog item; the products table's key `productId` is its `id`. */
export type CatalogRow = Item & { readonly id: string };

export interface ImportCatalogOptions {
  /** Holds the marker item recording which catalog (by hash) the products table contains. */
  metaTable: string;
  log?: Logger;
  /** BatchWriteItem requests in flight. */
  concurrency?: number;
  /** Write even when the marker says this catalog is already there. */
  force?: boolean;
}

export interface ImportCatalogResult {
  status: 'skipped' | 'imported';
  hash: string;
  /** Items written (0 when skipped). */
  written: number;
  /** Products no longer in the catalog, deleted. */
  deleted: number;
  ms: number;
}

export interface CatalogMarker {
  hash: string;
  itemCount: number;
  importedAt: string;
}

const PRODUCT_KEY = 'productId';

export function markerKey(productsTable: string): string {
  return `catalog-import:${productsTable}`;
}

/** The marker of the last complete import into `productsTable`, if any. */
export async function readCatalogMarker(
  client: DynamoDBClient,
  { productsTable, metaTable }: { productsTable: string; metaTable: string },
): Promise<CatalogMarker | undefined> {
  const { Item: item } = await client.send(
    new GetItemCommand({ TableName: metaTable, Key: { key: { S: markerKey(productsTable) } }, ConsistentRead: true }),
  );
  if (!item) return undefined;
  const { hash, itemCount, importedAt } = fromAttributeMap(item);
  if (typeof hash !== 'string' || typeof itemCount !== 'number' || typeof importedAt !== 'string') return undefined;
  return { hash, itemCount, importedAt };
}

/**
 * Makes the products table hold exactly `items`, once per catalog version: when the marker in the
 * meta table already names `hash` it returns at once; otherwise it writes every item (BatchWriteItem,
 * 25 per request, a few in flight), deletes products the catalog no longer has, and only then
 * records the marker, so an interrupted import is redone on the next start.
 */
export async function importCatalog(
  client: DynamoDBClient,
  tableName: string,
  items: readonly CatalogRow[],
  hash: string,
  { metaTable, log, concurrency = 4, force = false }: ImportCatalogOptions,
): Promise<ImportCatalogResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  if (!force) {
    const marker = await readCatalogMarker(client, { productsTable: tableName, metaTable });
    if (marker?.hash === hash) {
      log?.info({ table: tableName, hash, items: marker.itemCount }, 'catalog already imported');
      return { status: 'skipped', hash, written: 0, deleted: 0, ms: elapsed() };
    }
  }

  // Keys present before the import: whatever the new catalog lacks is stale. Empty (and free) on a first import.
  const existing = await scanKeys(client, tableName);
  const ids = new Set<string>();
  const puts: WriteRequest[] = items.map((item) => {
    ids.add(item.id);
    return { PutRequest: { Item: toAttributeMap({ ...item, [PRODUCT_KEY]: item.id }) } };
  });
  if (ids.size !== items.length) throw new Error(`catalog ${hash} has duplicate ids`);
  await batchWriteAll(client, tableName, puts, { concurrency });

  const stale = existing.filter((id) => !ids.has(id));
  await batchWriteAll(
    client,
    tableName,
    stale.map((id) => ({ DeleteRequest: { Key: { [PRODUCT_KEY]: { S: id } } } })),
    { concurrency },
  );

  const marker: CatalogMarker = { hash, itemCount: items.length, importedAt: new Date().toISOString() };
  await client.send(
    new PutItemCommand({ TableName: metaTable, Item: toAttributeMap({ key: markerKey(tableName), ...marker }) }),
  );
  const ms = elapsed();
  log?.info({ table: tableName, hash, written: items.length, deleted: stale.length, ms }, 'catalog imported');
  return { status: 'imported', hash, written: items.length, deleted: stale.length, ms };
}

async function scanKeys(client: DynamoDBClient, tableName: string): Promise<string[]> {
  const keys: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: '#k',
        ExpressionAttributeNames: { '#k': PRODUCT_KEY },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const id = item[PRODUCT_KEY]?.S;
      if (id !== undefined) keys.push(id);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return keys;
}
