import { z } from 'zod';
import { CHAT_LIMITS } from './chat.schema';
import { ProductSummarySchema } from './catalog.schema';

/** Limits of the catalog doors (GET /v1/catalog/search, POST /v1/catalog/export). */
export const CATALOG_SEARCH_LIMITS = {
  defaultLimit: 10,
  maxLimit: 50,
  /** Results a query has at most, best first: the pages of a search and an export cover these. */
  maxResults: 100,
  maxQueryBytes: CHAT_LIMITS.maxTextBytes,
} as const;

const query = z
  .string({ error: 'q is required' })
  .refine((q) => q.trim().length > 0, 'q is empty')
  .refine((q) => Buffer.byteLength(q, 'utf8') <= CATALOG_SEARCH_LIMITS.maxQueryBytes, `q exceeds ${CATALOG_SEARCH_LIMITS.maxQueryBytes} bytes`);

/** The query string of GET /v1/catalog/search. */
export const CatalogSearchQuerySchema = z.strictObject({
  q: query,
  limit: z
    .string()
    .regex(/^\d+$/, 'limit must be a whole number')
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, 'limit must be at least 1')
        .max(CATALOG_SEARCH_LIMITS.maxLimit, `limit must be at most ${CATALOG_SEARCH_LIMITS.maxLimit}`),
    )
    .default(CATALOG_SEARCH_LIMITS.defaultLimit),
  /** The `next_cursor` of the previous page, unchanged. */
  cursor: z.string().min(1).max(512).optional(),
  debug: z.enum(['true', 'false'], { error: 'debug must be true or false' }).optional(),
});
export type CatalogSearchQuery = z.infer<typeof CatalogSearchQuerySchema>;

/** One result: the curated fields of a product and its rank; no vectors, no retrieval context. */
export const CatalogResultSchema = ProductSummarySchema.extend({
  /** Position among all results of the query, from 1. */
  rank: z.number().int().positive(),
});
export type CatalogResult = z.infer<typeof CatalogResultSchema>;

/** What a search did, for developers: only with debug=true, and never in production. */
export const CatalogSearchDebugSchema = z.object({
  offset: z.number().int().nonnegative(),
  searchMs: z.number().nonnegative(),
  vectorIndex: z.string(),
  productionMode: z.literal(false),
});

export const CatalogSearchResponseSchema = z.object({
  query: z.string(),
  results: z.array(CatalogResultSchema),
  /** Results the query has across all pages (at most 100). */
  total_results: z.number().int().nonnegative(),
  returned: z.number().int().nonnegative(),
  has_more: z.boolean(),
  /** Opaque; pass it back as `cursor` for the next page. Absent on the last page. */
  next_cursor: z.string().optional(),
  debug: CatalogSearchDebugSchema.optional(),
});
export type CatalogSearchResponse = z.infer<typeof CatalogSearchResponseSchema>;

/** The body of POST /v1/catalog/export. */
export const CatalogExportRequestSchema = z.strictObject({ q: query });
export type CatalogExportRequest = z.infer<typeof CatalogExportRequestSchema>;

/** The answer to an export: a small pointer to the whole result in S3. */
export const CatalogExportResponseSchema = z.object({
  export_id: z.string(),
  status: z.literal('ready'),
  /** A pre-signed GET URL: plain HTTP GET, no credentials, until `expires_at`. */
  download_url: z.url(),
  expires_in_seconds: z.number().int().positive(),
  expires_at: z.iso.datetime(),
  size_bytes: z.number().int().nonnegative(),
  total_results: z.number().int().nonnegative(),
  format: z.literal('application/json'),
});
export type CatalogExportResponse = z.infer<typeof CatalogExportResponseSchema>;

/** The exported document the download URL serves. */
export const CatalogExportDocumentSchema = z.object({
  export_id: z.string(),
  query: z.string(),
  exported_at: z.iso.datetime(),
  total_results: z.number().int().nonnegative(),
  results: z.array(CatalogResultSchema),
});
export type CatalogExportDocument = z.infer<typeof CatalogExportDocumentSchema>;

export const CATALOG_ERROR_CODES = ['invalid_query', 'invalid_cursor', 'debug_not_allowed', 'unavailable'] as const;
export type CatalogErrorCode = (typeof CATALOG_ERROR_CODES)[number];
