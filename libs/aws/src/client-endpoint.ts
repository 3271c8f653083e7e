import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

/** Where a client sends requests, for error messages: its endpoint URL, else its region. */
export async function describeEndpoint(client: DynamoDBClient | KinesisClient): Promise<string> {
  try {
    const endpoint = client.config.endpoint ? await client.config.endpoint() : undefined;
    if (endpoint) {
      const port = endpoint.port ? `:${endpoint.port}` : '';
      const path = endpoint.path === '/' ? '' : endpoint.path;
      return `${endpoint.protocol}//${endpoint.hostname}${port}${path}`;
    }
    return `region ${await client.config.region()}`;
  } catch {
    return 'an unknown endpoint';
  }
}
