import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createConnectionPool } from '@manga-assist/pools';
import { Registry } from '@manga-assist/telemetry';
import { startDynalite, startKinesalite, waitFor } from '@manga-assist/testing';
import { createDynamoClient, createKinesisClient, ensureStreams, ensureTables, pingDynamo, streamDefinitions, tableDefinitions } from '../src';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

function connectionsOpened(text: string, pool: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`manga_assist_pool_connections_opened_total{pool="${pool}"} `));
  return Number(line?.split(' ')[1]);
}

describe('clients on a shared connection pool', () => {
  it('send DynamoDB calls of two clients over the one pool, which outlives them', async () => {
    const engine = await startDynalite();
    const registry = new Registry();
    const pool = createConnectionPool({ name: 'dynamodb', registry });
    const first = createDynamoClient({ region: 'us-east-1', endpoint: engine.endpoint, pool });
    const second = createDynamoClient({ region: 'us-east-1', endpoint: engine.endpoint, pool });
    try {
      const { products } = tableDefinitions('pooled-');
      await ensureTables(first, [products]);
      await pingDynamo(first, products.TableName);
      first.destroy();
      // The first client's socket is still in the pool, and the second one reuses it.
      expect(pool.stats()).toMatchObject({ active: 0, idle: 1 });
      await pingDynamo(second, products.TableName);
      expect(connectionsOpened(await registry.metrics(), 'dynamodb')).toBe(1);
    } finally {
      second.destroy();
      pool.destroy();
      await engine.stop();
    }
  });

  it('send Kinesis calls over the pool, still on HTTP/1.1', async () => {
    const engine = await startKinesalite();
    const pool = createConnectionPool({ name: 'kinesis' });
    const client = createKinesisClient({ region: 'us-east-1', endpoint: engine.endpoint, pool });
    try {
      const { analytics } = streamDefinitions('pooled-');
      await ensureStreams(client, [analytics]);
      const put = await client.send(
        new PutRecordsCommand({ StreamName: analytics.StreamName, Records: [{ PartitionKey: 's1', Data: Buffer.from('{}') }] }),
      );
      expect(put.FailedRecordCount).toBe(0);
      await waitFor(() => pool.stats().idle >= 1, { description: 'an idle Kinesis socket' });
    } finally {
      client.destroy();
      pool.destroy();
      await engine.stop();
    }
  });

  it('refuse socket settings that the pool already decides', () => {
    const pool = createConnectionPool({ name: 'dynamodb' });
    try {
      expect(() => createDynamoClient({ region: 'us-east-1', pool, maxSockets: 5 })).toThrow(
        'maxSockets and connectionTimeoutMs come from the pool "dynamodb"; leave them out when passing a pool',
      );
    } finally {
      pool.destroy();
    }
  });
});
