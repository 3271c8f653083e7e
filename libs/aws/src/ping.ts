import { DescribeTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { describeEndpoint } from './client-endpoint';
import { EngineUnavailableError, classifyFailure } from './engine-error';

export interface PingOptions {
  /** A readiness probe must answer quickly, retries included. */
  timeoutMs?: number;
}

/** Sends one DynamoDB request with a deadline; a failure becomes an EngineUnavailableError naming the table. */
async function probeDynamo(client: DynamoDBClient, table: string, timeoutMs: number, request: (abortSignal: AbortSignal) => Promise<unknown>): Promise<void> {
  try {
    await request(AbortSignal.timeout(timeoutMs));
  } catch (error) {
    throw new EngineUnavailableError({
      service: 'DynamoDB',
      resource: `table ${table}`,
      endpoint: await describeEndpoint(client),
      failure: classifyFailure(error),
      cause: error,
    });
  }
}

/** Readiness probe: DescribeTable. Rejects with an EngineUnavailableError saying what, where and why. */
export function pingDynamo(client: DynamoDBClient, table: string, { timeoutMs = 2000 }: PingOptions = {}): Promise<void> {
  return probeDynamo(client, table, timeoutMs, (abortSignal) => client.send(new DescribeTableCommand({ TableName: table }), { abortSignal }));
}

/** Readiness probe: DescribeStreamSummary. Rejects with an EngineUnavailableError saying what, where and why. */
export async function pingKinesis(client: KinesisClient, stream: string, { timeoutMs = 2000 }: PingOptions = {}): Promise<void> {
  try {
    await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new EngineUnavailableError({
      service: 'Kinesis',
      resource: `stream ${stream}`,
      endpoint: await describeEndpoint(client),
      failure: classifyFailure(error),
      cause: error,
    });
  }
}

/**
 * Warm-up: one GetItem of a key that does not exist, through the same client (and connection pool)
 * requests will use: DNS, TCP, TLS and the SDK's signing are paid before the first user does.
 */
export function warmDynamo(client: DynamoDBClient, table: string, hashKey: string, { timeoutMs = 3000 }: PingOptions = {}): Promise<void> {
  const key = { [hashKey]: { S: 'warm-up' } };
  return probeDynamo(client, table, timeoutMs, (abortSignal) => client.send(new GetItemCommand({ TableName: table, Key: key }), { abortSignal }));
}
