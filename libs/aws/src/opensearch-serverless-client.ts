import { OpenSearchServerlessClient } from '@aws-sdk/client-opensearchserverless';
import { clientConfig } from './client-config';
import type { AwsClientOptions } from './client-config';

/**
 * An OpenSearch Serverless control-plane client (collection and VPC endpoint status): a handful of
 * calls at start and per health round, so few sockets and the SDK's standard retries.
 */
export function createOpenSearchServerlessClient(options: AwsClientOptions): OpenSearchServerlessClient {
  return new OpenSearchServerlessClient(
    clientConfig(options, {
      maxSockets: 2,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 5000,
      maxAttempts: 3,
      retryMode: 'standard',
    }),
  );
}
