// Response size control (seed 003, scenario 5: API Gateway's 10 MB response and 128 KB frame
// limits), through the gateway run in-process on real sockets against Redis, dynalite and s3rver:
// the catalog search pages through every result with opaque cursors, the export lands in S3 and
// downloads from its pre-signed URL, debug stays out of production, WebSocket frames stay within
// 128 KB for a very long answer over very large products, and every response's size is in /metrics.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { WebSocket } from 'ws';
import { ensureLocalIssuerKeys, mintLocalToken } from '@manga-assist/auth';
import { createDynamoClient, ensureTables, tableDefinitions } from '@manga-assist/aws';
import { LOCAL_CREDENTIALS, loadConfig } from '@manga-assist/config';
import { CHAT_LIMITS, CatalogExportDocumentSchema, CatalogExportResponseSchema, CatalogSearchResponseSchema } from '@manga-assist/contracts';
import type { CatalogSearchResponse, DoneFrame, ServerFrame } from '@manga-assist/contracts';
import { TEST_APP_ENV, TEST_CONTROL_TOKEN } from '@manga-assist/local-stack';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { makeCatalogItem } from '@manga-assist/catalog';
import { deleteKeysWithPrefix, freePort, startDynalite, startS3rver, startTestServer, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import type { LocalEngine, TestServer } from '@manga-assist/testing';
import { createApp } from '../src/app';
import type { GatewayApp } from '../src/app';
import { createClients } from '../src/clients';
import { gatewayConfigSchema } from '../src/config';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../../..');
const BUCKET = 'catalog-test-exports';
const JWT_ISSUER = 'https://issuer.test/';
const JWT_AUDIENCE = 'manga-assist-test';
/** Products whose titles alone are 75 KB of UTF-8: five of them make a done frame of 375 KB. */
const HUGE_TITLE_CHARS = 25_000;
const HUGE_COUNT = 6;
const NORMAL_COUNT = 60;

/** A catalog of 60 real works and 6 best sellers with 75 KB titles. */
function writeTestCatalog(dir: string): { file: string; ids: string[]; hugeTitles: string[] } {
  const real = gunzipSync(readFileSync(path.join(ROOT, 'data/catalog/catalog.jsonl.gz'))).toString('utf8').split('\n').slice(0, NORMAL_COUNT);
  const items = real.map((line, i) => {
    const item = JSON.parse(line) as { synthetic: { weeklySales: number } };
    item.synthetic.weeklySales = i; // all below the huge ones
    return item;
  });
  const hugeTitles = Array.from({ length: HUGE_COUNT }, (_, i) => `巨大${i}${'あ'.repeat(HUGE_TITLE_CHARS)}`);
  hugeTitles.forEach((title, i) => {
    const id = `C99000${i}`;
    items.push(makeCatalogItem({ id, title, synthetic: { priceJpy: 500, stock: 100, weeklySales: 20_000 - i, volumes: 1 } }) as never);
  });
  const file = path.join(dir, 'catalog.jsonl.gz');
  writeFileSync(file, gzipSync(items.map((item) => JSON.stringify(item)).join('\n') + '\n'));
  return { file, ids: items.map((item) => (item as unknown as { id: string }).id), hugeTitles };
}

/** Raw WebSocket messages, to see each frame's size as sent. */
async function rawSocket(url: string, token: string) {
  const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  const raw: string[] = [];
  socket.on('message', (data) => raw.push(String(data)));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  await waitFor(() => raw.length > 0, { timeoutMs: 5_000, description: 'ready frame' });
  return { socket, raw, frames: () => raw.map((r) => JSON.parse(r) as ServerFrame) };
}

describe('response size control', () => {
  const label = uniquePrefix('gw-size').replace(/[^\w]/g, '');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'manga-assist-size-'));
  const keyDir = path.join(dir, 'auth');
  const catalog = writeTestCatalog(dir);
  let dynalite: LocalEngine;
  let s3: LocalEngine;
  let jwks: TestServer;
  const apps: GatewayApp[] = [];
  let url: string;
  let productionUrl: string;
  let token: string;
  let productionToken: string;

  const startGateway = async (env: Record<string, string>) => {
    const port = await freePort();
    const config = loadConfig(gatewayConfigSchema, {
      REDIS_URL: testRedisUrl(),
      CONTROL_TOKEN: TEST_CONTROL_TOKEN,
      DYNAMODB_ENDPOINT: dynalite.endpoint,
      TABLE_PREFIX: `${label}-`,
      KEY_PREFIX: `${label}:`,
      QUEUE_PREFIX: label,
      GATEWAY_PORT: String(port),
      ...TEST_APP_ENV,
      CATALOG_PATH: catalog.file,
      INDEX_DIR: path.join(dir, 'index'),
      S3_ENDPOINT: s3.endpoint,
      EXPORT_BUCKET: BUCKET,
      // Tokens after the first are joined for a second: the rest of a long answer leaves as one send.
      TOKEN_FLUSH_MS: '1000',
      ...env,
    });
    const logger = createLogger({ app: 'chat-gateway', level: 'warn' });
    const registry = createMetricsRegistry('chat-gateway', { defaultMetrics: false });
    const app = createApp({ config, logger, registry, ...createClients(config, { logger, registry }), handleSignals: false });
    apps.push(app);
    await app.start();
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs: 90_000, intervalMs: 200, description: 'gateway ready' });
    return base;
  };

  beforeAll(async () => {
    [dynalite, s3] = await Promise.all([startDynalite(), startS3rver({ buckets: [BUCKET], accessKeys: [LOCAL_CREDENTIALS] })]);
    const setup = createDynamoClient({ region: 'ap-northeast-1', endpoint: dynalite.endpoint });
    await ensureTables(setup, tableDefinitions(`${label}-`));
    setup.destroy();

    // An OIDC issuer's JWKS, for the gateway in production mode (which accepts only AUTH_MODE=jwt).
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    productionToken = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('prod-user')
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);

    url = await startGateway({ AUTH_MODE: 'local', AUTH_LOCAL_KEY_DIR: keyDir });
    token = await mintLocalToken(await ensureLocalIssuerKeys(keyDir), 'u-catalog');
    productionUrl = await startGateway({ NODE_ENV: 'production', AUTH_MODE: 'jwt', AUTH_JWKS_URL: jwks.url, AUTH_ISSUER: JWT_ISSUER, AUTH_AUDIENCE: JWT_AUDIENCE });
  });

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await Promise.all([dynalite?.stop(), s3?.stop(), jwks?.close()]);
    const redis = new Redis(testRedisUrl());
    await deleteKeysWithPrefix(redis, label);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  const search = async (params: Record<string, string>, base = url, bearer = token) => {
    const res = await fetch(`${base}/v1/catalog/search?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${bearer}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('walks every result page by page: no duplicates, no gaps, the last page without a cursor', async () => {
    const seen: string[] = [];
    const ranks: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    let last: CatalogSearchResponse | undefined;
    do {
      const { status, body } = await search({ q: 'マンガ', limit: '10', ...(cursor ? { cursor } : {}) });
      expect(status).toBe(200);
      const page = CatalogSearchResponseSchema.parse(body);
      expect(page.returned).toBe(page.results.length);
      expect(page.results.length).toBeLessThanOrEqual(10);
      // Curated fields only: no vectors, no retrieval context, nothing for debugging.
      for (const result of page.results) expect(Object.keys(result).sort()).toEqual(['creator', 'demographic', 'id', 'inStock', 'nextVolumeDate', 'priceJpy', 'rank', 'title']);
      expect(page.debug).toBeUndefined();
      seen.push(...page.results.map((r) => r.id));
      ranks.push(...page.results.map((r) => r.rank));
      expect(page.has_more).toBe(page.next_cursor !== undefined);
      cursor = page.next_cursor;
      last = page;
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(Math.ceil(catalog.ids.length / 10));
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...catalog.ids].sort());
    expect(ranks).toEqual(catalog.ids.map((_, i) => i + 1));
    expect(last).toMatchObject({ has_more: false, total_results: catalog.ids.length });
    expect(last && 'next_cursor' in last).toBe(false);
  });

  it('defaults to 10 results and refuses a limit over 50, a tampered cursor and one from another query with typed 400s', async () => {
    const first = CatalogSearchResponseSchema.parse((await search({ q: 'マンガ' })).body);
    expect(first.returned).toBe(10);
    expect((await search({ q: 'マンガ', limit: '50' })).body).toMatchObject({ returned: 50, has_more: true });

    for (const limit of ['51', '0', 'ten', '-1']) {
      expect(await search({ q: 'マンガ', limit })).toEqual({ status: 400, body: { type: 'error', code: 'invalid_query', message: expect.stringContaining('limit') } });
    }
    const cursor = first.next_cursor!;
    const [payload, signature] = cursor.split('.') as [string, string];
    const moved = Buffer.from(Buffer.from(payload, 'base64url').toString('utf8').replace(/^\d+/, '0')).toString('base64url');
    for (const tampered of [`${moved}.${signature}`, `${payload}.${signature.slice(0, -2)}AA`, 'not-a-cursor']) {
      expect(await search({ q: 'マンガ', cursor: tampered })).toEqual({ status: 400, body: { type: 'error', code: 'invalid_cursor', message: expect.any(String) } });
    }
    expect(await search({ q: 'ワンピース', cursor })).toEqual({ status: 400, body: { type: 'error', code: 'invalid_cursor', message: expect.stringContaining('another query') } });
    expect(await search({})).toEqual({ status: 400, body: { type: 'error', code: 'invalid_query', message: expect.stringContaining('q') } });
    expect(await search({ q: '   ' })).toMatchObject({ status: 400, body: { code: 'invalid_query' } });
    expect(await search({ q: 'マンガ', page: '2' })).toMatchObject({ status: 400, body: { code: 'invalid_query', message: expect.stringContaining('page') } });
    // The same cursor still opens its page: nothing was lost to the refusals.
    expect(CatalogSearchResponseSchema.parse((await search({ q: 'マンガ', cursor })).body).results[0]!.rank).toBe(11);
  });

  it('needs a bearer token, like every other door', async () => {
    const res = await fetch(`${url}/v1/catalog/search?q=manga`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'error', code: 'unauthorized' });
    const exported = await fetch(`${url}/v1/catalog/export`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"q":"manga"}' });
    expect(exported.status).toBe(401);
  });

  it('shows the debug view only when asked for and never in production mode', async () => {
    const { status, body } = await search({ q: 'マンガ', debug: 'true', limit: '5' });
    expect(status).toBe(200);
    expect(body['debug']).toEqual({ offset: 0, searchMs: expect.any(Number), vectorIndex: 'hnsw', productionMode: false });

    expect(await search({ q: 'マンガ', debug: 'true' }, productionUrl, productionToken)).toEqual({
      status: 403,
      body: { type: 'error', code: 'debug_not_allowed', message: expect.stringContaining('production') },
    });
    const plain = await search({ q: 'マンガ', limit: '5' }, productionUrl, productionToken);
    expect(plain.status).toBe(200);
    expect(plain.body['returned']).toBe(5);
    expect('debug' in plain.body).toBe(false);
  });

  it('writes the whole result to S3 and answers with a pre-signed URL that plain fetch downloads', async () => {
    const res = await fetch(`${url}/v1/catalog/export`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ q: 'マンガ' }) });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(Buffer.byteLength(text)).toBeLessThan(2048); // a small pointer, however big the result
    const answer = CatalogExportResponseSchema.parse(JSON.parse(text));
    expect(answer).toMatchObject({ status: 'ready', expires_in_seconds: 900, total_results: catalog.ids.length, format: 'application/json' });
    expect(Date.parse(answer.expires_at) - Date.now()).toBeGreaterThan(890_000);
    expect(new URL(answer.download_url).searchParams.get('X-Amz-Expires')).toBe('900');

    const download = await fetch(answer.download_url);
    expect(download.status).toBe(200);
    const body = await download.text();
    expect(Buffer.byteLength(body)).toBe(answer.size_bytes);
    expect(Buffer.byteLength(body)).toBeGreaterThan(HUGE_COUNT * HUGE_TITLE_CHARS);
    const document = CatalogExportDocumentSchema.parse(JSON.parse(body));
    expect(document).toMatchObject({ export_id: answer.export_id, query: 'マンガ', total_results: catalog.ids.length });
    expect(document.results.map((r) => r.id).sort()).toEqual([...catalog.ids].sort());
    expect(document.results.filter((r) => catalog.hugeTitles.includes(r.title))).toHaveLength(HUGE_COUNT);

  });

  it('refuses a bad export body with a typed 400', async () => {
    const post = (body: string) => fetch(`${url}/v1/catalog/export`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    for (const body of ['{"q":', '{}', '{"q":"manga","bucket":"other"}', '{"q":42}']) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ type: 'error', code: 'invalid_query' });
    }
  });

  it('keeps every WebSocket frame within 128 KB: a very long answer is split, a very large product list trimmed with a count', async () => {
    const client = await rawSocket(`${url.replace('http', 'ws')}/ws`, token);
    try {
      client.socket.send(JSON.stringify({ action: 'sendMessage', requestId: 'big1', text: '今週の人気マンガは？' }));
      await waitFor(() => client.frames().some((f) => (f.type === 'done' || f.type === 'error') && f.requestId === 'big1'), { timeoutMs: 30_000, description: 'done frame' });
      for (const raw of client.raw) expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(CHAT_LIMITS.maxOutboundFrameBytes);

      const frames = client.frames().filter((f) => 'requestId' in f && f.requestId === 'big1');
      const done = frames.find((f): f is DoneFrame => f.type === 'done');
      expect(done).toMatchObject({ intent: 'trending', cached: false });
      // The five best sellers are the 75 KB ones: one fits in a frame, four are counted as left off.
      expect(done!.products!.map((p) => p.id)).toEqual(['C990000']);
      expect(done!.productsTrimmed).toBe(4);

      // The answer names the best sellers: over 128 KB of text, split into several token frames, none lost.
      const tokens = frames.filter((f) => f.type === 'token');
      const text = tokens.map((f) => f.text).join('');
      expect(Buffer.byteLength(text)).toBeGreaterThan(CHAT_LIMITS.maxOutboundFrameBytes);
      expect(tokens.length).toBeGreaterThanOrEqual(3);
      expect(text).toContain(catalog.hugeTitles[0]);
      expect(text).toContain(catalog.hugeTitles[1]);
      expect(text).toContain(catalog.hugeTitles[2]);
    } finally {
      client.socket.close();
    }
  });

  it('records the size of every HTTP response and WebSocket frame in /metrics', async () => {
    await search({ q: 'マンガ', limit: '3' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const count = (door: string, route: string) =>
      Number(new RegExp(`manga_assist_response_bytes_count\\{[^}]*door="${door}",route="${route.replace(/[/.]/g, '\\$&')}"[^}]*\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    const sum = (door: string, route: string) =>
      Number(new RegExp(`manga_assist_response_bytes_sum\\{[^}]*door="${door}",route="${route.replace(/[/.]/g, '\\$&')}"[^}]*\\} ([\\d.e+]+)`).exec(metrics)?.[1] ?? 0);
    expect(metrics).toContain('# TYPE manga_assist_response_bytes histogram');
    expect(count('http', '/v1/catalog/search')).toBeGreaterThanOrEqual(20);
    expect(count('http', '/v1/catalog/export')).toBeGreaterThanOrEqual(1);
    expect(count('http', '/readyz')).toBeGreaterThanOrEqual(1);
    // The 50-result page and the pages carrying 75 KB titles: hundreds of KB in all.
    expect(sum('http', '/v1/catalog/search')).toBeGreaterThan(HUGE_COUNT * HUGE_TITLE_CHARS);
    expect(count('websocket', 'token')).toBeGreaterThanOrEqual(3);
    expect(count('websocket', 'done')).toBeGreaterThanOrEqual(1);
    expect(count('websocket', 'ready')).toBeGreaterThanOrEqual(1);
    // promtool exits non-zero and names the problem when the exposition is invalid.
    execFileSync('promtool', ['check', 'metrics'], { input: metrics });
  });

  it('answers an export 503 while S3 cannot be reached, and keeps serving searches', async () => {
    await s3.stop();
    const res = await fetch(`${url}/v1/catalog/export`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ q: 'マンガ' }) });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ type: 'error', code: 'unavailable', message: expect.stringContaining('try again') });
    expect((await search({ q: 'マンガ', limit: '3' })).body).toMatchObject({ returned: 3 });
  });
});
