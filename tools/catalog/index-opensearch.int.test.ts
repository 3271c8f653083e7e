// `npm run catalog:index-opensearch` as an operator runs it: the real CLI through tsx, a small
// catalog file, and a local endpoint that answers as an OpenSearch Serverless collection does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadCatalog } from '@manga-assist/catalog';
import { spawnProcess, startTestServer } from '@manga-assist/testing';
import type { TestServer } from '@manga-assist/testing';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/** The CLI as a child process; OPENSEARCH_* from the environment running the tests never leak in. */
async function run(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
  const cli = spawnProcess(TSX, ['--tsconfig', 'tools/tsconfig.json', 'tools/catalog/index-opensearch.ts', ...args], {
    cwd: ROOT,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', OPENSEARCH_ENDPOINT: '', OPENSEARCH_INDEX: '', ...env },
  });
  const { code } = await cli.exited;
  return { code, output: cli.output() };
}

describe('npm run catalog:index-opensearch', () => {
  let dir: string;
  let catalogPath: string;
  let collection: TestServer;
  const indexes = new Set<string>();
  let loaded = 0;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'index-opensearch-'));
    catalogPath = path.join(dir, 'catalog.jsonl.gz');
    const catalog = await loadCatalog();
    writeFileSync(catalogPath, gzipSync(catalog.items.slice(0, 30).map((item) => JSON.stringify(item)).join('\n') + '\n'));
    collection = await startTestServer((req, res): void => {
      const target = decodeURIComponent(req.url.split('?')[0]!.slice(1));
      if (target === '_bulk') {
        const docs = req.body.split('\n').filter((line) => line !== '').length / 2;
        loaded += docs;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ took: 1, errors: false, items: Array.from({ length: docs }, () => ({ index: { status: 201 } })) }));
        return;
      }
      if (req.method === 'PUT') indexes.add(target);
      res.writeHead(req.method === 'HEAD' && !indexes.has(target) ? 404 : 200, { 'content-type': 'application/json' });
      if (req.method === 'HEAD') res.end();
      else res.end(JSON.stringify({ acknowledged: true }));
    });
  });
  afterAll(async () => {
    await collection?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops at start without OPENSEARCH_ENDPOINT, naming it', async () => {
    const { code, output } = await run({ CATALOG_PATH: catalogPath });
    expect(code).toBe(78);
    expect(output).toMatch(/OPENSEARCH_ENDPOINT/);
  });

  it('creates the index and loads every work of the catalog, then refuses to load into it twice', async () => {
    const env = { CATALOG_PATH: catalogPath, OPENSEARCH_ENDPOINT: collection.url, OPENSEARCH_INDEX: 'manga-products-test' };
    const first = await run(env);
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/^manga-products-test: 30 of 30 works loaded \(hashed-ngram[^)]*\) in \d+ ms$/m);
    expect(loaded).toBe(30);
    expect(collection.requests.find((r) => r.method === 'PUT')?.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/ap-northeast-1\/aoss\/aws4_request/);

    const again = await run(env);
    expect(again.code).toBe(1);
    expect(again.output).toMatch(/index "manga-products-test" already exists/);
    expect(loaded).toBe(30);

    const recreated = await run(env, ['--recreate']);
    expect(recreated.code).toBe(0);
    expect(loaded).toBe(60);
  });
});
