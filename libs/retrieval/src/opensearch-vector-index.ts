import type { ConnectionPool } from '@manga-assist/pools';
import { ProductSummarySchema } from '@manga-assist/contracts';
import type { ProductFilters } from '@manga-assist/contracts';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';

import type { RetrievalLogger } from './logger';
import type { VectorHit, VectorIndex, VectorSearchOptions } from './vector-index';

/** The ProductSummary fields, the only part of a document a search brings back. */
export const PRODUCT_SOURCE_FIELDS = ['id', 'title', 'creator', 'priceJpy', 'inStock', 'demographic', 'nextVolumeDate'] as const;

export const DEFAULT_VECTOR_FIELD = 'embedding';

export type FilterClause =
  | { term: Record<string, string | boolean> }
  | { range: Record<string, { gte?: number; lte?: number }> }
  | { exists: { field: string } };

export interface KnnQueryBody {
  size: number;
  _source: string[];
  query: {
    knn: Record<string, { vector: number[]; k: number; filter?: { bool: { filter: FilterClause[] } } }>;
  };
}

/**
 * Product filters as OpenSearch filter clauses over the document fields of
 * `openSearchProductMapping`. Same meaning as `matchesFilters`: a `false` flag constrains nothing.
 */
export function filterClauses(filters: ProductFilters): FilterClause[] {
  const clauses: FilterClause[] = [];
  if (filters.category !== undefined) clauses.push({ term: { category: filters.category } });
  if (filters.language !== undefined) clauses.push({ term: { language: filters.language } });
  if (filters.inStock === true) clauses.push({ term: { inStock: true } });
  if (filters.minPriceJpy !== undefined || filters.maxPriceJpy !== undefined) {
    const range: { gte?: number; lte?: number } = {};
    if (filters.minPriceJpy !== undefined) range.gte = filters.minPriceJpy;
    if (filters.maxPriceJpy !== undefined) range.lte = filters.maxPriceJpy;
    clauses.push({ range: { priceJpy: range } });
  }
  if (filters.demographic !== undefined) clauses.push({ term: { demographic: filters.demographic } });
  if (filters.genre !== undefined) clauses.push({ term: { genre: filters.genre } });
  if (filters.upcomingRelease === true) clauses.push({ exists: { field: 'nextVolumeDate' } });
  return clauses;
}

/**
 * A k-NN query with the filters inside the knn clause: OpenSearch's efficient filtering (faiss or
 * lucene engine) filters while it walks the graph, so a selective filter still yields k hits,
 * unlike a bool filter beside the knn clause, which post-filters the k nearest.
 */
export function buildKnnQuery(vector: Float32Array, k: number, filters: ProductFilters = {}, vectorField = DEFAULT_VECTOR_FIELD): KnnQueryBody {
  const clauses = filterClauses(filters);
  const knn = { vector: Array.from(vector), k, ...(clauses.length > 0 ? { filter: { bool: { filter: clauses } } } : {}) };
  return { size: k, _source: [...PRODUCT_SOURCE_FIELDS], query: { knn: { [vectorField]: knn } } };
}

/**
 * Index mapping the adapter's queries assume: product fields as exact-match keywords and numbers,
 * and an HNSW (faiss) vector field with cosine similarity. For the tool that creates the index.
 */
export function openSearchProductMapping(dimensions: number, vectorField = DEFAULT_VECTOR_FIELD) {
  return {
    settings: { index: { knn: true } },
    mappings: {
      properties: {
        id: { type: 'keyword' },
        title: { type: 'text', fields: { raw: { type: 'keyword' } } },
        creator: { type: 'keyword' },
        priceJpy: { type: 'integer' },
        inStock: { type: 'boolean' },
        demographic: { type: 'keyword' },
        genre: { type: 'keyword' },
        category: { type: 'keyword' },
        language: { type: 'keyword' },
        nextVolumeDate: { type: 'date', format: 'yyyy-MM-dd' },
        [vectorField]: {
          type: 'knn_vector',
          dimension: dimensions,
          method: { name: 'hnsw', engine: 'faiss', space_type: 'cosinesimil' },
        },
      },
    },
  } as const;
}

/** AWS credentials as every SDK credential provider returns them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface OpenSearchClientOptions {
  /** Collection endpoint, e.g. https://<id>.<region>.aoss.amazonaws.com */
  node: string;
  region: string;
  getCredentials: () => Promise<AwsCredentials>;
  requestTimeoutMs?: number;
  /** The search downstream's keep-alive pool (libs/pools, 20 sockets): requests reuse its sockets. */
  pool?: ConnectionPool;
}

/** A client that signs every request with SigV4 for OpenSearch Serverless (service `aoss`). */
export function createOpenSearchClient(options: OpenSearchClientOptions): Client {
  return new Client({
    ...AwsSigv4Signer({ region: options.region, service: 'aoss', getCredentials: options.getCredentials }),
    node: options.node,
    requestTimeout: options.requestTimeoutMs ?? 2_000,
    // One attempt: the caller's resilience policy decides about retries, not the client.
    maxRetries: 0,
    ...(options.pool ? { agent: poolAgent(options.pool) } : {}),
  });
}

/** The pool's agent for a connection's protocol. */
function poolAgent(pool: ConnectionPool) {
  return ({ url }: { url: URL }) => (url.protocol === 'http:' ? pool.httpAgent : pool.httpsAgent);
}

export interface OpenSearchVectorIndexOptions {
  client: Client;
  /** Index (or alias) holding one document per product. */
  index: string;
  vectorField?: string;
  log?: RetrievalLogger;
}

/**
 * The production vector index: OpenSearch Serverless k-NN. Filters run server-side from the
 * declarative `filters`; the in-process `filter` callback and `candidates` cannot travel and are
 * ignored. Hits carry the product fields, so no local catalog lookup is needed.
 */
export class OpenSearchVectorIndex implements VectorIndex {
  readonly kind = 'opensearch';
  private readonly vectorField: string;

  constructor(private readonly options: OpenSearchVectorIndexOptions) {
    this.vectorField = options.vectorField ?? DEFAULT_VECTOR_FIELD;
  }

  async search(vector: Float32Array, { k, filters }: VectorSearchOptions): Promise<VectorHit[]> {
    const body = buildKnnQuery(vector, k, filters, this.vectorField);
    const response = await this.options.client.search({ index: this.options.index, body });
    const hits: VectorHit[] = [];
    for (const hit of response.body.hits.hits) {
      const product = ProductSummarySchema.safeParse(hit._source);
      const score = hit._score;
      if (!product.success || typeof score !== 'number' || !Number.isFinite(score)) {
        this.options.log?.warn({ index: this.options.index, id: hit._id }, 'skipping a search hit that is not a product');
        continue;
      }
      // faiss cosinesimil scores are (1 + cosine) / 2; callers compare cosines across indexes.
      hits.push({ id: product.data.id, score: 2 * score - 1, product: product.data });
    }
    return hits;
  }
}
