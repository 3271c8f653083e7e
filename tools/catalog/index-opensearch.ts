// Loads the catalog into an OpenSearch Serverless index, for the apps' VECTOR_INDEX=opensearch: the
// index is created with the mapping the queries assume, and every work is embedded with
// SEARCH_EMBEDDER (the apps must query with the same one) and loaded in bulk.
//   OPENSEARCH_ENDPOINT=https://<id>.<region>.aoss.amazonaws.com OPENSEARCH_INDEX=manga-products-2026-11 \
//   SEARCH_EMBEDDER=titan LOCAL_STACK=false npm run catalog:index-opensearch [-- --recreate]
// Documents have no ids (vector collections assign them), so an existing index is refused unless
// --recreate deletes it first: load each catalog version into a new index and point the apps at it.
import { z } from 'zod';
import { loadCatalog } from '@manga-assist/catalog';
import { flag, httpUrl, loadConfigOrExit, searchShape } from '@manga-assist/config';
import { createOpenSearchBackend, createQuestionEmbedder, indexCatalogInOpenSearch, searchBackendConfig } from '@manga-assist/retrieval';
import { createLogger } from '@manga-assist/telemetry';

const schema = z.object({
  ...searchShape,
  OPENSEARCH_ENDPOINT: httpUrl(),
  CATALOG_PATH: z.string().min(1).optional(),
  BEDROCK_ENDPOINT: httpUrl().optional(),
  AWS_REGION: z.string().min(1).default('ap-northeast-1'),
  LOCAL_STACK: flag(true),
});

async function main(): Promise<void> {
  const config = loadConfigOrExit('catalog:index-opensearch', schema);
  const log = createLogger({ app: 'catalog-index-opensearch', level: 'info' });
  const backend = searchBackendConfig({ ...config, VECTOR_INDEX: 'opensearch' });
  if (backend.kind !== 'opensearch') throw new Error('unreachable: the backend is OpenSearch');
  const { client, embedder } = createOpenSearchBackend(backend, { log, hashedEmbedder: createQuestionEmbedder() });
  const catalog = await loadCatalog(config.CATALOG_PATH);
  const started = Date.now();
  const result = await indexCatalogInOpenSearch({ client, index: backend.index, catalog, embedder, recreate: process.argv.includes('--recreate'), log });
  console.log(
    `${backend.index}: ${result.indexed} of ${catalog.items.length} works loaded (${embedder.id}) in ${Date.now() - started} ms` +
      (result.failed ? `; ${result.failed} refused, first: ${result.firstError}` : ''),
  );
  if (result.failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
