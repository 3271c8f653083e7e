import type { Client } from '@opensearch-project/opensearch';
import type { Catalog, CatalogItem } from '@manga-assist/catalog';

import type { Embedder } from './embedder';
import { itemEmbeddingText } from './item-text';
import type { RetrievalLogger } from './logger';
import { DEFAULT_VECTOR_FIELD, openSearchProductMapping } from './opensearch-vector-index';
import { toProductSummary } from './product-summary';

export interface IndexCatalogOptions {
  client: Client;
  index: string;
  catalog: Catalog;
  /** Must be the embedder the apps query with (SEARCH_EMBEDDER). */
  embedder: Embedder;
  /** Works per embedding batch and per bulk request. */
  batchSize?: number;
  /** Delete an existing index of that name first; without it an existing index is an error. */
  recreate?: boolean;
  vectorField?: string;
  log?: RetrievalLogger;
}

export interface IndexCatalogResult {
  indexed: number;
  failed: number;
  /** The first document error OpenSearch reported, if any. */
  firstError?: string;
}

/**
 * One work as an OpenSearch document: the product fields the prompt uses, the fields the filters
 * query (category, language, genre), and its embedding. The product id is a field, not the
 * document `_id`: vector search collections of OpenSearch Serverless assign ids themselves.
 */
export function productDocument(item: CatalogItem, vector: Float32Array, vectorField = DEFAULT_VECTOR_FIELD) {
  return {
    ...toProductSummary(item),
    category: item.category,
    language: item.language,
    genre: item.genre,
    [vectorField]: Array.from(vector),
  };
}

/**
 * Creates the index (`openSearchProductMapping` at the embedder's size) and loads every catalog work
 * into it with the bulk API. An existing index is refused unless `recreate`: documents carry no
 * `_id`, so loading twice would hold every work twice.
 */
export async function indexCatalogInOpenSearch(options: IndexCatalogOptions): Promise<IndexCatalogResult> {
  const { client, index, catalog, embedder, batchSize = 200, recreate = false, vectorField = DEFAULT_VECTOR_FIELD, log } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const exists = (await client.indices.exists({ index })).body === true;
  if (exists) {
    if (!recreate) throw new Error(`index "${index}" already exists: load into a new index, or recreate it (documents have no ids, so loading twice duplicates every work)`);
    await client.indices.delete({ index });
    log?.info({ index }, 'deleted the existing index');
  }
  await client.indices.create({ index, body: openSearchProductMapping(embedder.dimensions, vectorField) });
  log?.info({ index, dimensions: embedder.dimensions, embedder: embedder.id }, 'created the index');

  const result: IndexCatalogResult = { indexed: 0, failed: 0 };
  for (let start = 0; start < catalog.items.length; start += batchSize) {
    const batch = catalog.items.slice(start, start + batchSize);
    const vectors = await embedder.embed(batch.map(itemEmbeddingText));
    const body = batch.flatMap((item, i) => [{ index: { _index: index } }, productDocument(item, vectors[i] as Float32Array, vectorField)]);
    const response = await client.bulk({ body });
    for (const entry of response.body.items as Array<Record<string, { status: number; error?: { type?: string; reason?: string } }>>) {
      const outcome = Object.values(entry)[0];
      if (outcome && !outcome.error && outcome.status < 300) {
        result.indexed += 1;
      } else {
        result.failed += 1;
        result.firstError ??= `${outcome?.error?.type ?? outcome?.status}: ${outcome?.error?.reason ?? 'no reason given'}`;
      }
    }
    log?.info({ index, done: Math.min(start + batchSize, catalog.items.length), of: catalog.items.length, failed: result.failed }, 'loading works');
  }
  return result;
}
