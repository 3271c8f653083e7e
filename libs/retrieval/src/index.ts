export type { Embedder, SyncEmbedder } from './embedder';
export { createHashedNgramEmbedder } from './hashed-ngram-embedder';
export type { HashedNgramEmbedderOptions } from './hashed-ngram-embedder';
export { TITAN_V2_DIMENSIONS, createTitanEmbedder } from './titan-embedder';
export type { TitanEmbedderOptions, TitanV2Dimensions } from './titan-embedder';

export type { VectorHit, VectorIndex, VectorSearchOptions } from './vector-index';
export { ExactVectorIndex } from './exact-vector-index';
export { DEFAULT_EF_SEARCH, DEFAULT_EXACT_SCAN_LIMIT, HnswVectorIndex } from './hnsw-vector-index';
export type { HnswIndexOrigin, HnswSearchOptions } from './hnsw-vector-index';
export { hnswIndexFiles, loadOrBuildHnswIndex } from './hnsw-index-store';
export type { HnswIndexFiles, LoadOrBuildHnswIndexOptions } from './hnsw-index-store';
export {
  DEFAULT_VECTOR_FIELD,
  OpenSearchVectorIndex,
  PRODUCT_SOURCE_FIELDS,
  buildKnnQuery,
  createOpenSearchClient,
  filterClauses,
  openSearchProductMapping,
} from './opensearch-vector-index';
export type {
  AwsCredentials,
  FilterClause,
  KnnQueryBody,
  OpenSearchClientOptions,
  OpenSearchVectorIndexOptions,
} from './opensearch-vector-index';

export { DEFAULT_LIST_LIMIT, DEFAULT_SEARCH_K, MAX_SEARCH_K, createProductRetriever } from './product-retriever';
export type { ProductRetriever, ProductRetrieverOptions, ProductSearchResult } from './product-retriever';
export { createCatalogRankings } from './catalog-rankings';
export type { CatalogRankings } from './catalog-rankings';
export { createTitleLookup, isMatchableKey } from './title-lookup';
export type { TitleLookup, TitleLookupOptions } from './title-lookup';
export { TITLE_STOP_WORDS } from './title-stop-words';
export { filtersKey, hasFilters, matchesFilters } from './product-filters';
export { toProductSummary } from './product-summary';
export { itemEmbeddingText } from './item-text';
export type { RetrievalLogger } from './logger';
export { indexCatalogInOpenSearch, productDocument } from './opensearch-indexer';
export type { IndexCatalogOptions, IndexCatalogResult } from './opensearch-indexer';
export { createQuestionEmbedder, loadRetrieval } from './load-retrieval';
export type { Retrieval } from './load-retrieval';
export { createOpenSearchBackend, searchBackendConfig } from './search-backend';
export type { SearchBackend, SearchEnv, SearchPools } from './search-backend';
export { createProductSource } from './product-source';
export type { ProductSource, TrendingList } from './product-source';
export { OverlayVectorIndex } from './overlay-vector-index';
export { catalogChangesKey, catalogChannel, followCatalogChanges, publishCatalogChange } from './catalog-changes';
export type { CatalogFollower, FollowCatalogChangesOptions } from './catalog-changes';
export { CollectionNotActiveError, NOT_FOUND, createCollectionDiscovery, resolveSearchBackend } from './collection-discovery';
export type { CollectionDiscovery, CollectionStatus, ResolveSearchBackendOptions, VpcEndpointStatus } from './collection-discovery';
