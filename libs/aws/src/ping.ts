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

/** Readiness probe: DescribeTable. Rejects with an EngineUnavailableError saying what, where and why. */
export async function pingDynamo(client: DynamoDBClient, table: string, { timeoutMs = 2000 }: PingOptions = {}): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }), { abortSignal: AbortSignal.timeout(timeoutMs) });
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
export async function warmDynamo(client: DynamoDBClient, table: string, hashKey: string, { timeoutMs = 3000 }: PingOptions = {}): Promise<void> {
  try {
    await client.send(new GetItemCommand({ TableName: table, Key: { [hashKey]: { S: 'warm-up' } } }), { abortSignal: AbortSignal.timeout(timeoutMs) });
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
