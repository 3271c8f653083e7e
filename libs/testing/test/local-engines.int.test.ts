import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startDynalite, startKinesalite } from '../src';
import type { LocalEngine } from '../src';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const dynamo = (engine: LocalEngine): DynamoDBClient =>
  new DynamoDBClient({ region: 'us-east-1', endpoint: engine.endpoint, credentials, maxAttempts: 1 });

describe('startDynalite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'engines-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the DynamoDB API on an ephemeral port, a fresh store per engine', async () => {
    const [a, b] = await Promise.all([startDynalite(), startDynalite()]);
    try {
      expect(a.port).not.toBe(b.port);
      const client = dynamo(a);
      await client.send(
        new CreateTableCommand({
          TableName: 'things',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['things']);
      expect((await dynamo(b).send(new ListTablesCommand({}))).TableNames).toEqual([]);
      client.destroy();
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('keeps tables across restarts in path mode', async () => {
    const store = path.join(dir, 'dynamodb');
    const first = await startDynalite({ path: store });
    await dynamo(first).send(
      new CreateTableCommand({
        TableName: 'kept',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await first.stop();
    await first.stop();
    const second = await startDynalite({ path: store });
    try {
      expect((await dynamo(second).send(new ListTablesCommand({}))).TableNames).toEqual(['kept']);
    } finally {
      await second.stop();
    }
  });

  it('names the port when it is taken', async () => {
    const engine = await startDynalite();
    try {
      await expect(startDynalite({ port: engine.port })).rejects.toThrow(`Port ${engine.port}`);
    } finally {
      await engine.stop();
    }
  });
});

describe('startKinesalite', () => {
  it('creates streams that are ACTIVE at once, more shards than the engine default of 10', async () => {
    const engine = await startKinesalite();
    const client = new KinesisClient({
      region: 'us-east-1',
      endpoint: engine.endpoint,
      credentials,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    });
    try {
      await client.send(new CreateStreamCommand({ StreamName: 'events', ShardCount: 12 }));
      const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: 'events' }));
      expect(summary.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
      expect(summary.StreamDescriptionSummary?.OpenShardCount).toBe(12);
    } finally {
      client.destroy();
      await engine.stop();
    }
  });
});
