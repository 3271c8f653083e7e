import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FastifyReply } from 'fastify';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { AppServer } from '@manga-assist/server';

/**
 * The chat page and the ops page: the web build (apps/web, `npx nx build web`) held in memory and
 * served as is. A handful of small files, read once at start: no file system access per request,
 * and no path a request could steer outside the build.
 */
export interface WebPagesOptions {
  /** The built pages (`dist/apps/web`). */
  dir: string;
  log: { warn(obj: object, msg: string): void };
}

interface WebFile {
  body: Buffer;
  /** Compressed once at start, for clients that accept it. */
  br: Buffer;
  gzip: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Everything the pages load is their own bundle; they talk to this origin only (fetch for the ops
 * stream, the chat WebSocket). No inline script or style: the browser tests fail on any CSP report.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

/** Reads the build: each file by its URL path; Vite's hashed assets (under /assets/) never change. */
export function loadWebFiles(dir: string): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  for (const file of listFiles(dir)) {
    const urlPath = '/' + path.relative(dir, file).split(path.sep).join('/');
    const body = readFileSync(file);
    const hashed = urlPath.startsWith('/assets/');
    files.set(urlPath, {
      body,
      br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
      gzip: gzipSync(body, { level: 9 }),
      type: TYPES[path.extname(file)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      // A page must be revalidated so a new deployment's asset names are picked up at once.
      cacheControl: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  return files;
}

/** GET / (chat), GET /ops (operations), and their assets under /assets/. */
export function registerWebPages(server: AppServer, { dir, log }: WebPagesOptions): void {
  const files = existsSync(path.join(dir, 'index.html')) ? loadWebFiles(dir) : new Map<string, WebFile>();
  if (files.size === 0) log.warn({ dir }, 'the web pages are not built (npx nx build web): / and /ops answer 503');

  const send = (urlPath: string) => async (request: { headers: Record<string, string | string[] | undefined> }, reply: FastifyReply) => {
    const file = files.get(urlPath);
    if (!file) {
      const missing = files.size === 0 ? 503 : 404;
      return reply.code(missing).type('text/plain; charset=utf-8').send(missing === 503 ? 'The pages are not built: run `npx nx build web`.' : 'Not found');
    }
    reply.headers(SECURITY_HEADERS).header('cache-control', file.cacheControl).header('etag', file.etag).header('vary', 'accept-encoding');
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    const accepted = String(request.headers['accept-encoding'] ?? '');
    const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : null;
    if (encoding) reply.header('content-encoding', encoding);
    return reply.type(file.type).send(encoding ? file[encoding] : file.body);
  };

  server.get('/', send('/index.html'));
  server.get('/ops', send('/ops/index.html'));
  server.get('/ops/', send('/ops/index.html'));
  server.get<{ Params: { '*': string } }>('/assets/*', (request, reply) => send(`/assets/${request.params['*']}`)(request, reply));
}
