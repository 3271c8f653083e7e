import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';

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
  let pending = chunk;
  for (let attempt = 0; ; attempt++) {
    const { UnprocessedItems } = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
    pending = UnprocessedItems?.[tableName] ?? [];
    if (pending.length === 0) return;
    if (attempt >= maxRetries) {
      throw new Error(`BatchWriteItem on ${tableName}: ${pending.length} items still unprocessed after ${maxRetries} retries`);
    }
    // Full jitter, so parallel writers do not retry in lockstep.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * retryBaseMs * 2 ** attempt));
  }
}
