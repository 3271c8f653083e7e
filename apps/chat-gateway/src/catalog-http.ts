import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AuthError, bearerFromHeaders, isProduction } from '@manga-assist/auth';
import { createS3Client } from '@manga-assist/aws';
import type { ProductSource } from '@manga-assist/chat';
import { resolveS3Endpoint } from '@manga-assist/config';
import { CATALOG_SEARCH_LIMITS, CatalogExportRequestSchema, CatalogSearchQuerySchema } from '@manga-assist/contracts';
import type {
  CatalogErrorCode,
  CatalogExportDocument,
  CatalogExportResponse,
  CatalogResult,
  CatalogSearchResponse,
  ErrorCode,
} from '@manga-assist/contracts';
import type { AppServer } from '@manga-assist/server';
import type { Logger } from '@manga-assist/telemetry';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { CallerAuth } from './caller-auth';
import { createCatalogCursors } from './catalog-cursor';
import type { GatewayConfig } from './config';

export interface CatalogHttpDeps {
  config: Pick<GatewayConfig, 'CONTROL_TOKEN' | 'NODE_ENV' | 'LOCAL_STACK' | 'AWS_REGION' | 'VECTOR_INDEX' | 'EXPORT_BUCKET' | 'S3_ENDPOINT' | 'EXPORT_URL_TTL_S'>;
  auth: CallerAuth;
  /** The pipeline's product source, once the catalog and its index are loaded. */
  products(): Promise<ProductSource>;
  log: Logger;
  /** Where exports go (default: a client for EXPORT_BUCKET's endpoint, closed with the server). */
  s3?: S3Client;
}

/** Exports are kept under this prefix of the bucket (the gateway's role may write nowhere else). */
export const EXPORT_PREFIX = 'catalog-exports/';

const EXPORT_BODY_LIMIT = 16 * 1024;

type ErrorBody = { type: 'error'; code: CatalogErrorCode | ErrorCode; message: string };

/**
 * GET /v1/catalog/search and POST /v1/catalog/export: catalog browsing whose answers stay small
 * whatever the query (seed 003, scenario 5: API Gateway's 10 MB response limit). A page carries
 * at most 50 curated results and an opaque cursor to the next; the whole result goes to S3 and is
 * answered with a pre-signed URL; the debug view exists only outside production.
 */
export function registerCatalogHttp(server: AppServer, deps: CatalogHttpDeps): void {
  const { config, auth, log } = deps;
  const cursors = createCatalogCursors(config.CONTROL_TOKEN);
  const production = isProduction(config);
  const s3 = deps.s3 ?? createS3Client({ region: config.AWS_REGION, endpoint: resolveS3Endpoint(config), localStack: config.LOCAL_STACK });
  if (!deps.s3) server.addHook('onClose', async () => s3.destroy());

  const fail = (reply: FastifyReply, status: number, code: ErrorBody['code'], message: string) =>
    reply.code(status).send({ type: 'error', code, message } satisfies ErrorBody);
  const invalid = (reply: FastifyReply, error: z.ZodError) => {
    const issue = error.issues[0]!;
    // A missing or unknown field names itself; a bad value is named by its message.
    const where = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.path.join('.');
    return fail(reply, 400, 'invalid_query', where && !issue.message.startsWith(where) ? `${where}: ${issue.message}` : issue.message);
  };
  /** The caller's token is checked before anything else about the request. */
  const authenticate = async (reply: FastifyReply, headers: Parameters<typeof bearerFromHeaders>[0]) => {
    try {
      const caller = await auth.authenticate(bearerFromHeaders(headers));
      if (caller.sessionToken) reply.header('x-session-token', caller.sessionToken);
      return caller;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      void fail(reply, error.status, error.code, error.message);
      return undefined;
    }
  };
  /** Every result of a query, best first, with its rank. */
  const searchAll = async (query: string): Promise<CatalogResult[]> => {
    const products = await (await deps.products()).search(query.trim(), {}, CATALOG_SEARCH_LIMITS.maxResults);
    return products.map((product, i) => ({ ...product, rank: i + 1 }));
  };

  server.get('/v1/catalog/search', async (request, reply) => {
    if (!(await authenticate(reply, request.headers))) return reply;
    const parsed = CatalogSearchQuerySchema.safeParse(request.query);
    if (!parsed.success) return invalid(reply, parsed.error);
    const { q, limit, cursor, debug } = parsed.data;
    if (debug === 'true' && production) {
      return fail(reply, 403, 'debug_not_allowed', 'debug=true is not available in production (NODE_ENV=production or LOCAL_STACK=false)');
    }
    let offset = 0;
    if (cursor !== undefined) {
      const opened = cursors.open(q, cursor);
      if (!opened.ok) return fail(reply, 400, 'invalid_cursor', opened.message);
      offset = opened.offset;
    }
    const started = performance.now();
    let all: CatalogResult[];
    try {
      all = await searchAll(q);
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'catalog search failed');
      return fail(reply, 503, 'unavailable', 'the catalog search is unavailable right now; please try again');
    }
    const results = all.slice(offset, offset + limit);
    const hasMore = offset + limit < all.length;
    const body: CatalogSearchResponse = {
      query: q,
      results,
      total_results: all.length,
      returned: results.length,
      has_more: hasMore,
      ...(hasMore ? { next_cursor: cursors.issue(q, offset + limit) } : {}),
      ...(debug === 'true' ? { debug: { offset, searchMs: Math.round((performance.now() - started) * 100) / 100, vectorIndex: config.VECTOR_INDEX, productionMode: false as const } } : {}),
    };
    return body;
  });

  server.post(
    '/v1/catalog/export',
    {
      bodyLimit: EXPORT_BODY_LIMIT,
      errorHandler: (error, _request, reply) =>
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? fail(reply, 413, 'invalid_query', `the body is limited to ${EXPORT_BODY_LIMIT} bytes`)
          : error.statusCode === 400 || error.statusCode === 415
            ? fail(reply, 400, 'invalid_query', `the body must be JSON such as {"q":"..."} (${error.message})`)
            : fail(reply, 500, 'internal', 'something went wrong on our side; please try again'),
    },
    async (request, reply) => {
      if (!(await authenticate(reply, request.headers))) return reply;
      const parsed = CatalogExportRequestSchema.safeParse(request.body ?? {});
      if (!parsed.success) return invalid(reply, parsed.error);
      const { q } = parsed.data;
      const exportId = `exp-${randomUUID()}`;
      const exportedAt = new Date();
      let results: CatalogResult[];
      try {
        results = await searchAll(q);
      } catch (error) {
        log.warn({ err: (error as Error).message }, 'catalog search for an export failed');
        return fail(reply, 503, 'unavailable', 'the catalog search is unavailable right now; please try again');
      }
      const document: CatalogExportDocument = { export_id: exportId, query: q, exported_at: exportedAt.toISOString(), total_results: results.length, results };
      const body = Buffer.from(JSON.stringify(document));
      const key = `${EXPORT_PREFIX}${exportedAt.toISOString().slice(0, 10)}/${exportId}.json`;
      let downloadUrl: string;
      try {
        await s3.send(new PutObjectCommand({ Bucket: config.EXPORT_BUCKET, Key: key, Body: body, ContentType: 'application/json; charset=utf-8' }));
        downloadUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: config.EXPORT_BUCKET, Key: key }), { expiresIn: config.EXPORT_URL_TTL_S });
      } catch (error) {
        log.warn({ err: (error as Error).message, bucket: config.EXPORT_BUCKET }, 'catalog export could not be stored');
        return fail(reply, 503, 'unavailable', 'the export could not be stored right now; please try again');
      }
      const answer: CatalogExportResponse = {
        export_id: exportId,
        status: 'ready',
        download_url: downloadUrl,
        expires_in_seconds: config.EXPORT_URL_TTL_S,
        expires_at: new Date(exportedAt.getTime() + config.EXPORT_URL_TTL_S * 1000).toISOString(),
        size_bytes: body.length,
        total_results: results.length,
        format: 'application/json',
      };
      return reply.code(201).send(answer);
    },
  );
}
