import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { ExponentialBackoff, fullJitterGenerator, handleWhenResult, retry } from 'cockatiel';

/** DynamoDB's limit of requests per BatchWriteItem. */
export const BATCH_WRITE_LIMIT = 25;

export interface BatchWriteOptions {
  /** BatchWriteItem requests in flight at once. */
  concurrency?: number;
  /** Rounds of retrying UnprocessedItems before giving up. */
  maxRetries?: number;
  /** First backoff before retrying unprocessed items; doubles each round. */
  retryBaseMs?: number;
}

/**
 * Writes any number of put/delete requests to one table in chunks of 25 with a few chunks in
 * flight, retrying what DynamoDB hands back as UnprocessedItems (throttling) with backoff.
 */
export async function batchWriteAll(
  client: DynamoDBClient,
  tableName: string,
  requests: readonly WriteRequest[],
  { concurrency = 4, maxRetries = 8, retryBaseMs = 50 }: BatchWriteOptions = {},
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const chunk = requests.slice(next, next + BATCH_WRITE_LIMIT);
      next += BATCH_WRITE_LIMIT;
      await writeChunk(client, tableName, chunk, maxRetries, retryBaseMs);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

async function writeChunk(
  client: DynamoDBClient,
  tableName: string,
  chunk: WriteRequest[],
  maxRetries: number,
  retryBaseMs: number,
): Promise<void> {
  // Retried on the result, not on errors: a throttled batch succeeds and hands back what it left
  // undone. Full jitter, so parallel writers do not retry in lockstep.
  const unprocessedRetry = retry(
    handleWhenResult((left) => (left as WriteRequest[]).length > 0),
    {
      maxAttempts: maxRetries,
      backoff: new ExponentialBackoff({ initialDelay: retryBaseMs, maxDelay: Number.POSITIVE_INFINITY, generator: fullJitterGenerator }),
    },
  );
  let pending = chunk;
  const left = await unprocessedRetry.execute(async () => {
    const { UnprocessedItems } = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
    pending = UnprocessedItems?.[tableName] ?? [];
    return pending;
  });
  if (left.length > 0) {
    throw new Error(`BatchWriteItem on ${tableName}: ${left.length} items still unprocessed after ${maxRetries} retries`);
  }
}
