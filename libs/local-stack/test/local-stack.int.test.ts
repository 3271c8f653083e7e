import { access, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { Redis } from 'ioredis';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createDynamoClient, createKinesisClient, createS3Client, fromAttributeMap, streamDefinitions, tableDefinitions } from '@manga-assist/aws';
import { createTestLogger, deleteKeysWithPrefix, uniquePrefix } from '@manga-assist/testing';
import { startLocalStack } from '../src';
import { pingRedis } from '../src/redis-ping';
import type { CatalogRow, CatalogSource, LocalStack } from '../src';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const MACHINE_REDIS = 'redis://127.0.0.1:6379';

/** A small catalog that counts how often it was parsed. */
function smallCatalog(hash: string, items: CatalogRow[]): CatalogSource & { loads: number } {
  const source = {
    loads: 0,
    hash: async () => hash,
    load: async () => {
      source.loads += 1;
      return { items };
    },
  };
  return source;
}

const items: CatalogRow[] = [
  { id: 'C1', title: 'ドラゴンボール', creator: '鳥山明', synthetic: { priceJpy: 484, stock: 3 } },
  { id: 'C2', title: 'ONE PIECE', creator: '尾田栄一郎', synthetic: { priceJpy: 528, stock: 0 } },
];

async function readProduct(stack: LocalStack, id: string) {
  const client = createDynamoClient({ region: 'us-east-1', endpoint: stack.dynamoEndpoint });
  try {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableDefinitions(stack.tablePrefix).products.TableName, Key: { productId: { S: id } } }),
    );
    return Item && fromAttributeMap(Item);
  } finally {
    client.destroy();
  }
}

const machineRedisAnswers = (): Promise<boolean> =>
  pingRedis(MACHINE_REDIS).then(
    () => true,
    () => false,
  );

describe('startLocalStack', () => {
  let dataDir: string;
  const running: LocalStack[] = [];
  const start = async (...args: Parameters<typeof startLocalStack>): Promise<LocalStack> => {
    const stack = await startLocalStack(...args);
    running.push(stack);
    return stack;
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'local-stack-'));
  });
  afterEach(async () => {
    for (const stack of running.splice(0)) await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts with tables, stream and catalog; a restart on the same data skips the import and keeps the data', async () => {
    const catalog = smallCatalog('small-v1', items);
    const options = { dataDir, dynamoPort: 0, kinesisPort: 0, s3Port: 0, tablePrefix: 'ls-', catalog, log: createTestLogger() };

    const first = await start(options);
    expect(first.catalogImport).toMatchObject({ status: 'imported', written: 2 });
    expect(await readProduct(first, 'C2')).toMatchObject({ title: 'ONE PIECE', synthetic: { priceJpy: 528 } });
    const kinesis = createKinesisClient({ region: 'us-east-1', endpoint: first.kinesisEndpoint });
    const stream = streamDefinitions('ls-').analytics.StreamName;
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    expect(summary.StreamDescriptionSummary).toMatchObject({ StreamStatus: 'ACTIVE', OpenShardCount: 2 });
    kinesis.destroy();
    await first.stop();
    await expect(access(path.join(dataDir, 'dynamodb'))).resolves.toBeUndefined();

    const second = await start(options);
    expect(second.catalogImport).toMatchObject({ status: 'skipped' });
    expect(catalog.loads).toBe(1);
    expect(await readProduct(second, 'C1')).toMatchObject({ title: 'ドラゴンボール', creator: '鳥山明' });
  });

  it('uses the Redis already on 6379 and leaves it running after stop()', async () => {
    if (!(await machineRedisAnswers())) {
      console.warn('no Redis on 6379: this machine cannot show that stop() spares it');
      return;
    }
    const stack = await start({ dataDir, dynamoPort: 0, kinesisPort: 0, s3Port: 0, importCatalog: false, log: createTestLogger() });
    expect(stack.redisUrl).toBe(MACHINE_REDIS);
    const prefix = uniquePrefix('local-stack');
    const redis = new Redis(stack.redisUrl);
    try {
      await redis.set(`${prefix}alive`, '1');
      await stack.stop();
      expect(await machineRedisAnswers()).toBe(true);
      expect(await redis.get(`${prefix}alive`)).toBe('1');
    } finally {
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    }
  });

  it('names the port that is taken and leaves nothing running', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(
        startLocalStack({ dataDir, dynamoPort: 0, kinesisPort: port, s3Port: 0, importCatalog: false, log: createTestLogger() }),
      ).rejects.toThrow(`Port ${port} on 127.0.0.1 for kinesalite is already in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    // Everything the failed start opened was closed again: the same data directory starts cleanly.
    await start({ dataDir, dynamoPort: 0, kinesisPort: port, s3Port: 0, importCatalog: false, log: createTestLogger() });
  });

  it('keeps catalog exports in the exports bucket of its S3 stand-in, under the data directory, across restarts', async () => {
    const options = { dataDir, dynamoPort: 0, kinesisPort: 0, s3Port: 0, importCatalog: false, log: createTestLogger() };
    const first = await start(options);
    expect(first.exportBucket).toBe('manga-assist-exports');
    const writer = createS3Client({ region: 'us-east-1', endpoint: first.s3Endpoint });
    await writer.send(new PutObjectCommand({ Bucket: first.exportBucket, Key: 'catalog-exports/x.json', Body: '{"results":[]}' }));
    writer.destroy();
    await first.stop();
    await access(path.join(dataDir, 's3', first.exportBucket));

    const second = await start(options);
    const reader = createS3Client({ region: 'us-east-1', endpoint: second.s3Endpoint });
    try {
      const object = await reader.send(new GetObjectCommand({ Bucket: second.exportBucket, Key: 'catalog-exports/x.json' }));
      expect(await object.Body!.transformToString()).toBe('{"results":[]}');
    } finally {
      reader.destroy();
    }
  });

  it('refuses a data directory another running stack holds', async () => {
    const options = { dataDir, dynamoPort: 0, kinesisPort: 0, s3Port: 0, importCatalog: false, log: createTestLogger() };
    await start(options);
    await expect(startLocalStack(options)).rejects.toThrow(`${dataDir} is in use by process ${process.pid}`);
  });
});
