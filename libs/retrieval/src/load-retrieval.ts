import { loadCatalog } from '@manga-assist/catalog';
import type { Catalog } from '@manga-assist/catalog';
import type { SyncEmbedder } from './embedder';
import { createHashedNgramEmbedder } from './hashed-ngram-embedder';
import { loadOrBuildHnswIndex } from './hnsw-index-store';
import type { RetrievalLogger } from './logger';
import { createProductRetriever } from './product-retriever';
import type { ProductRetriever } from './product-retriever';
import { createOpenSearchBackend } from './search-backend';
import type { SearchBackend, SearchPools } from './search-backend';

/**
 * The one embedder of questions and catalog rows. The gateway's cache lookup, the post-processor's
 * cache write and the scheduler's pre-computed answers must embed alike, so all take it from here.
 */
export function createQuestionEmbedder(): SyncEmbedder {
  return createHashedNgramEmbedder({ dimensions: 384 });
}

export interface Retrieval {
  catalog: Catalog;
  embedder: SyncEmbedder;
  retriever: ProductRetriever;
}

/**
 * The catalog and the retriever over it. Search runs on the embedded HNSW index (loaded from
 * `indexDir`, or built and saved there) unless `search` names an OpenSearch collection; titles,
 * rankings and filters always come from the local catalog.
 */
export async function loadRetrieval({
  catalogPath,
  indexDir,
  log,
  search = { kind: 'hnsw' },
  pools,
}: {
  catalogPath?: string;
  indexDir: string;
  log: RetrievalLogger;
  search?: SearchBackend;
  pools?: SearchPools;
}): Promise<Retrieval> {
  const catalog = await loadCatalog(catalogPath);
  const embedder = createQuestionEmbedder();
  if (search.kind === 'opensearch') {
    const backend = createOpenSearchBackend(search, { pools, log, hashedEmbedder: embedder });
    log.info({ endpoint: search.endpoint, index: search.index, embedder: search.titan ? search.titan.modelId : 'hashed' }, 'product search on OpenSearch');
    return { catalog, embedder, retriever: createProductRetriever({ catalog, embedder: backend.embedder, index: backend.index }) };
  }
  const index = await loadOrBuildHnswIndex({ catalog, embedder, dir: indexDir, log });
  return { catalog, embedder, retriever: createProductRetriever({ catalog, embedder, index }) };
}
