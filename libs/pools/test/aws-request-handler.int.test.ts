import { CreateTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Registry } from '@manga-assist/telemetry';
import { startDynalite, waitFor } from '@manga-assist/testing';
import type { LocalEngine } from '@manga-assist/testing';
import { awsRequestHandler, createConnectionPool } from '../src';
import type { ConnectionPool } from '../src';
import { sample } from './support/counting-server';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The highest stats seen on every turn of the event loop until stopped: calls to dynalite are too quick to poll. */
function watchPeak(pool: ConnectionPool) {
  const peak = { active: 0, queued: 0, utilization: 0 };
  let watching = true;
  const look = () => {
    const { active, queued, utilization } = pool.stats();
    peak.active = Math.max(peak.active, active);
    peak.queued = Math.max(peak.queued, queued);
    peak.utilization = Math.max(peak.utilization, utilization);
    if (watching) setImmediate(look);
  };
  look();
  return {
    stop() {
      watching = false;
      return peak;
    },
  };
}

let engine: LocalEngine;
beforeEach(async () => {
  engine = await startDynalite();
});
afterEach(async () => {
  await engine.stop();
});

describe('awsRequestHandler', () => {
  it('sends DynamoDB calls through the pool, at most maxSockets connections', async () => {
    const registry = new Registry();
    const pool = createConnectionPool({ name: 'dynamodb', settings: { maxSockets: 2 }, registry });
    const client = new DynamoDBClient({
      region: 'ap-northeast-1',
      endpoint: engine.endpoint,
      credentials: CREDENTIALS,
      requestHandler: awsRequestHandler(pool, { requestTimeoutMs: 3_000 }),
    });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'pool-products',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await client.send(new PutItemCommand({ TableName: 'pool-products', Item: { id: { S: 'op-1' }, title: { S: 'ONE PIECE 1' } } }));
      // Eight calls at once on two sockets: the rest wait for one.
      const peak = watchPeak(pool);
      const gets = await Promise.all(
        Array.from({ length: 8 }, () => client.send(new GetItemCommand({ TableName: 'pool-products', Key: { id: { S: 'op-1' } } }))),
      );
      expect(peak.stop()).toEqual({ active: 2, queued: expect.any(Number) as number, utilization: 1 });
      expect(peak.stop().queued).toBeGreaterThan(0);
      for (const got of gets) expect(got.Item?.title).toEqual({ S: 'ONE PIECE 1' });
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['pool-products']);

      const text = await registry.metrics();
      expect(sample(text, 'manga_assist_pool_connections_opened_total{pool="dynamodb"}')).toBe(2);
      expect(sample(text, 'manga_assist_pool_checkout_wait_seconds_count{pool="dynamodb"}')).toBe(11);
      expect(pool.stats()).toMatchObject({ active: 0, idle: 2, queued: 0 });
    } finally {
      client.destroy();
      // The client does not own the pool's sockets: they stay for the next client until pool.destroy().
      expect(pool.stats().idle).toBe(2);
      pool.destroy();
      await waitFor(() => pool.stats().idle === 0, { description: 'sockets closed by pool.destroy()' });
    }
  });

  it('lets a warmed pool serve the first calls without a new connection', async () => {
    const registry = new Registry();
    const pool = createConnectionPool({ name: 'dynamodb', registry });
    const client = new DynamoDBClient({
      region: 'ap-northeast-1',
      endpoint: engine.endpoint,
      credentials: CREDENTIALS,
      requestHandler: awsRequestHandler(pool),
    });
    try {
      await expect(pool.warm(`${engine.endpoint}/`, 3)).resolves.toBe(3);
      await Promise.all(Array.from({ length: 3 }, () => client.send(new ListTablesCommand({}))));
      expect(sample(await registry.metrics(), 'manga_assist_pool_connections_opened_total{pool="dynamodb"}')).toBe(3);
      expect(pool.stats()).toMatchObject({ active: 0, idle: 3 });
    } finally {
      client.destroy();
      pool.destroy();
    }
  });

  it('carries the pool’s connect and idle timeouts', async () => {
    const pool = createConnectionPool({ name: 'model' });
    try {
      const handler = awsRequestHandler(pool);
      const client = new DynamoDBClient({ region: 'ap-northeast-1', endpoint: engine.endpoint, credentials: CREDENTIALS, requestHandler: handler });
      await client.send(new ListTablesCommand({}));
      expect(handler.httpHandlerConfigs()).toMatchObject({
        connectionTimeout: 2_000,
        socketTimeout: 30_000,
        httpAgent: pool.httpAgent,
        httpsAgent: pool.httpsAgent,
      });
      expect(handler.httpHandlerConfigs()).not.toHaveProperty('requestTimeout', expect.anything());
      client.destroy();
    } finally {
      pool.destroy();
    }
  });
});
