import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

export interface ReadRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
}

export interface ReadStreamOptions {
  kinesis: KinesisClient;
  streamName: string;
  /** GetRecords page size. */
  limit?: number;
}

/**
 * Every record in the stream, shard by shard from the oldest, as a consumer sees them: the way to
 * check what was stored (Kinesis is at-least-once, so a consumer dedupes by event id).
 */
export async function readStreamRecords({ kinesis, streamName, limit = 10_000 }: ReadStreamOptions): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  const shardIds: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await kinesis.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }));
    for (const shard of page.Shards ?? []) if (shard.ShardId) shardIds.push(shard.ShardId);
    nextToken = page.NextToken;
  } while (nextToken);

  for (const shardId of shardIds) {
    const start = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    let iterator = start.ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
      for (const r of page.Records ?? []) {
        out.push({ shardId, sequenceNumber: r.SequenceNumber ?? '', partitionKey: r.PartitionKey ?? '', data: r.Data ?? new Uint8Array() });
      }
      // An open shard always has a next iterator: stop at the first empty page.
      if ((page.Records?.length ?? 0) === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}
