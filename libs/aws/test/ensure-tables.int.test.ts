import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynalite } from '@manga-assist/testing';
import type { LocalEngine } from '@manga-assist/testing';
import { createDynamoClient, ensureTables, tableDefinitions } from '../src';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

describe('ensureTables against dynalite', () => {
  let engine: LocalEngine;
  let client: DynamoDBClient;

  beforeEach(async () => {
    engine = await startDynalite();
    client = createDynamoClient({ region: 'us-east-1', endpoint: engine.endpoint });
  });
  afterEach(async () => {
    client.destroy();
    await engine.stop();
  });

  it('creates the product tables once; running it again changes nothing', async () => {
    const definitions = tableDefinitions('test-');
    const first = await ensureTables(client, definitions);
    expect(first).toEqual([
      { name: 'test-sessions', created: true },
      { name: 'test-turns', created: true },
      { name: 'test-products', created: true },
      { name: 'test-meta', created: true },
      { name: 'test-operations', created: true },
    ]);
    const second = await ensureTables(client, definitions);
    expect(second.every((r) => !r.created)).toBe(true);

    const turns = await client.send(new DescribeTableCommand({ TableName: 'test-turns' }));
    expect(turns.Table?.TableStatus).toBe('ACTIVE');
    expect(turns.Table?.KeySchema).toEqual([
      { AttributeName: 'sessionId', KeyType: 'HASH' },
      { AttributeName: 'seq', KeyType: 'RANGE' },
    ]);
  });

  it('tolerates two processes ensuring the same tables at once', async () => {
    const definitions = tableDefinitions('race-');
    const [a, b] = await Promise.all([ensureTables(client, definitions), ensureTables(client, definitions)]);
    const created = [...a, ...b].filter((r) => r.created).map((r) => r.name).sort();
    expect(created).toEqual(['race-meta', 'race-operations', 'race-products', 'race-sessions', 'race-turns']);
  });

  it('refuses an existing table whose key schema differs', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'odd-products',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      }),
    );
    await expect(ensureTables(client, [tableDefinitions('odd-').products])).rejects.toThrow(
      'DynamoDB table odd-products exists with key schema [id:HASH:S], expected [productId:HASH:S]',
    );
  });
});
