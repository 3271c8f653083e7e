import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientConfig } from './client-config';
import type { AwsClientOptions } from './client-config';

/**
 * A DynamoDB client; pool, timeouts and retries follow the reference DynamoDB pool settings.
 * `options.pool` (a `dynamodb` pool from @manga-assist/pools) shares sockets and metrics across clients.
 */
export function createDynamoClient(options: AwsClientOptions): DynamoDBClient {
  return new DynamoDBClient(
    clientConfig(options, {
      maxSockets: 25,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 3000,
      maxAttempts: 3,
      retryMode: 'adaptive',
    }),
  );
}
