import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { startKinesalite } from '@manga-assist/testing';
import { createKinesisClient, ensureStreams, streamDefinitions } from '../src';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

describe('Kinesis through the SDK client against kinesalite', () => {
  it('creates the analytics stream idempotently and reads back what PutRecords wrote', async () => {
    const engine = await startKinesalite();
    const client = createKinesisClient({ region: 'us-east-1', endpoint: engine.endpoint });
    try {
      const definitions = streamDefinitions('rt-');
      expect(await ensureStreams(client, definitions)).toEqual([{ name: 'rt-analytics', created: true }]);
      expect(await ensureStreams(client, definitions)).toEqual([{ name: 'rt-analytics', created: false }]);
      const stream = definitions.analytics.StreamName;

      const events = Array.from({ length: 20 }, (_, i) => ({ sessionId: `s${i % 5}`, n: i, text: '進撃の巨人' }));
      const put = await client.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: events.map((e) => ({ PartitionKey: e.sessionId, Data: Buffer.from(JSON.stringify(e)) })),
        }),
      );
      expect(put.FailedRecordCount).toBe(0);

      const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: stream }));
      expect(Shards).toHaveLength(2);
      const received: typeof events = [];
      for (const shard of Shards) {
        const { ShardIterator } = await client.send(
          new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
        );
        const { Records = [] } = await client.send(new GetRecordsCommand({ ShardIterator }));
        for (const record of Records) received.push(JSON.parse(Buffer.from(record.Data ?? []).toString('utf8')));
      }
      expect(received.sort((a, b) => a.n - b.n)).toEqual(events);
    } finally {
      client.destroy();
      await engine.stop();
    }
  });
});
