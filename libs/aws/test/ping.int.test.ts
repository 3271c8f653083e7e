import net from 'node:net';
import { startDynalite, startKinesalite } from '@manga-assist/testing';
import {
  EngineUnavailableError,
  createDynamoClient,
  createKinesisClient,
  ensureStreams,
  ensureTables,
  pingDynamo,
  pingKinesis,
  streamDefinitions,
  tableDefinitions,
} from '../src';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

describe('pingDynamo', () => {
  it('answers while dynalite runs and fails naming the endpoint once it stops', async () => {
    const engine = await startDynalite();
    const client = createDynamoClient({ region: 'us-east-1', endpoint: engine.endpoint });
    try {
      const { products } = tableDefinitions('ping-');
      await ensureTables(client, [products]);
      await expect(pingDynamo(client, products.TableName)).resolves.toBeUndefined();

      await engine.stop();
      const error = await pingDynamo(client, products.TableName).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineUnavailableError);
      expect(error).toMatchObject({ failure: 'unreachable', service: 'DynamoDB', endpoint: engine.endpoint });
      expect((error as Error).message).toBe(
        `DynamoDB at ${engine.endpoint} is unreachable (table ping-products): connect ECONNREFUSED 127.0.0.1:${engine.port}`,
      );
    } finally {
      client.destroy();
      await engine.stop();
    }
  });

  it('says which table is missing', async () => {
    const engine = await startDynalite();
    const client = createDynamoClient({ region: 'us-east-1', endpoint: engine.endpoint });
    try {
      await expect(pingDynamo(client, 'absent')).rejects.toThrow(`DynamoDB at ${engine.endpoint}: table absent does not exist`);
    } finally {
      client.destroy();
      await engine.stop();
    }
  });

  it('gives up within its timeout when the engine accepts connections but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const client = createDynamoClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` });
    try {
      const started = Date.now();
      await expect(pingDynamo(client, 'products', { timeoutMs: 300 })).rejects.toMatchObject({ failure: 'timeout' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      client.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('pingKinesis', () => {
  it('answers while kinesalite runs and fails naming the endpoint once it stops', async () => {
    const engine = await startKinesalite();
    const client = createKinesisClient({ region: 'us-east-1', endpoint: engine.endpoint });
    try {
      const { analytics } = streamDefinitions('ping-');
      await ensureStreams(client, [analytics]);
      await expect(pingKinesis(client, analytics.StreamName)).resolves.toBeUndefined();
      await expect(pingKinesis(client, 'absent')).rejects.toMatchObject({ failure: 'not-found' });

      await engine.stop();
      await expect(pingKinesis(client, analytics.StreamName)).rejects.toThrow(
        `Kinesis at ${engine.endpoint} is unreachable (stream ping-analytics): connect ECONNREFUSED 127.0.0.1:${engine.port}`,
      );
    } finally {
      client.destroy();
      await engine.stop();
    }
  });
});
