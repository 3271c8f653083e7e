import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { startDynalite } from '@manga-assist/testing';
import { batchWriteAll, createDynamoClient, ensureTables, tableDefinitions } from '../src';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

interface BatchBody {
  RequestItems: Record<string, WriteRequest[]>;
}

/**
 * Sits in front of dynalite and behaves like a throttled DynamoDB: of each BatchWriteItem it
 * writes all but `held(n)` requests and hands those back as UnprocessedItems.
 */
async function startThrottlingProxy(
  target: string,
  held: (n: number) => number,
): Promise<{ endpoint: string; batches: number; stop(): Promise<void> }> {
  const state = { batches: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let body = Buffer.concat(chunks).toString('utf8');
      let unprocessed: Record<string, WriteRequest[]> = {};
      if (String(req.headers['x-amz-target']).endsWith('.BatchWriteItem')) {
        state.batches += 1;
        const parsed = JSON.parse(body) as BatchBody;
        const [table, requests] = Object.entries(parsed.RequestItems)[0]!;
        const keep = requests.length - held(requests.length);
        if (keep < requests.length) {
          unprocessed = { [table]: requests.slice(keep) };
          body = keep === 0 ? '' : JSON.stringify({ RequestItems: { [table]: requests.slice(0, keep) } });
        }
      }
      if (body === '') {
        // Nothing left to write: answer as DynamoDB would, without bothering dynalite.
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ UnprocessedItems: unprocessed }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'x-amz-target', 'x-amz-date', 'authorization']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = await fetch(target, { method: 'POST', headers, body });
      let text = await upstream.text();
      if (Object.keys(unprocessed).length > 0) text = JSON.stringify({ ...JSON.parse(text), UnprocessedItems: unprocessed });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get batches() {
      return state.batches;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('batchWriteAll', () => {
  it('writes everything in chunks of 25 and retries what comes back unprocessed', async () => {
    const engine = await startDynalite();
    const proxy = await startThrottlingProxy(engine.endpoint, (n) => Math.floor(n / 2));
    const client = createDynamoClient({ region: 'us-east-1', endpoint: proxy.endpoint });
    try {
      const { products } = tableDefinitions('bw-');
      await ensureTables(client, [products]);
      const requests = Array.from({ length: 103 }, (_, i) => ({
        PutRequest: { Item: { productId: { S: `p${i}` }, n: { N: String(i) } } },
      }));
      await batchWriteAll(client, products.TableName, requests, { concurrency: 3, retryBaseMs: 1 });

      const { Count } = await client.send(new ScanCommand({ TableName: products.TableName, Select: 'COUNT' }));
      expect(Count).toBe(103);
      // Chunks of 25 go 25 → 12 → 6 → 3 → 1 (5 requests each); the last chunk of 3 goes 3 → 1.
      expect(proxy.batches).toBe(4 * 5 + 2);
    } finally {
      client.destroy();
      await proxy.stop();
      await engine.stop();
    }
  });

  it('gives up naming the table when items stay unprocessed', async () => {
    const engine = await startDynalite();
    const proxy = await startThrottlingProxy(engine.endpoint, (n) => n);
    const client = createDynamoClient({ region: 'us-east-1', endpoint: proxy.endpoint });
    try {
      const { products } = tableDefinitions('bw2-');
      await ensureTables(client, [products]);
      const requests = Array.from({ length: 10 }, (_, i) => ({ PutRequest: { Item: { productId: { S: `p${i}` } } } }));
      await expect(
        batchWriteAll(client, products.TableName, requests, { maxRetries: 2, retryBaseMs: 1 }),
      ).rejects.toThrow('BatchWriteItem on bw2-products: 10 items still unprocessed after 2 retries');
    } finally {
      client.destroy();
      await proxy.stop();
      await engine.stop();
    }
  });
});
