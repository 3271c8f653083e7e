import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '@manga-assist/aws';
import { catalogHash, defaultCatalogPath, loadCatalog } from '@manga-assist/catalog';
import { importCatalog, readCatalogMarker } from './import-catalog';
import type { CatalogRow, ImportCatalogResult } from './import-catalog';

/** A catalog the stack can import; `hash` must be cheap, since it decides whether to `load` at all. */
export interface CatalogSource {
  hash(): Promise<string>;
  load(): Promise<{ items: readonly CatalogRow[] }>;
}

/** The built catalog file (data/catalog/catalog.jsonl.gz unless `filePath` says otherwise). */
export function catalogFileSource(filePath?: string): CatalogSource {
  // Resolved on first use, so a missing file is reported by the call that needs it.
  const file = (): string => filePath ?? defaultCatalogPath();
  return {
    hash: () => catalogHash(file()),
    load: () => loadCatalog(file()),
  };
}

export interface SyncCatalogOptions {
  productsTable: string;
  metaTable: string;
  source: CatalogSource;
  log?: Logger;
  /** BatchWriteItem requests in flight. */
  concurrency?: number;
}

/**
 * importCatalog, but without parsing the catalog when the marker already names its hash: a start
 * with an unchanged catalog costs one file hash and one GetItem.
 */
export async function syncCatalog(
  client: DynamoDBClient,
  { productsTable, metaTable, source, log, concurrency }: SyncCatalogOptions,
): Promise<ImportCatalogResult> {
  const started = performance.now();
  const hash = await source.hash();
  const marker = await readCatalogMarker(client, { productsTable, metaTable });
  if (marker?.hash === hash) {
    const ms = Math.round(performance.now() - started);
    log?.info({ table: productsTable, hash, items: marker.itemCount, ms }, 'catalog unchanged, import skipped');
    return { status: 'skipped', hash, written: 0, deleted: 0, ms };
  }
  const { items } = await source.load();
  const result = await importCatalog(client, productsTable, items, hash, { metaTable, log, concurrency, force: true });
  return { ...result, ms: Math.round(performance.now() - started) };
}
