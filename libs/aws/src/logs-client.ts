import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { clientConfig } from './client-config';
import type { AwsClientOptions } from './client-config';

/**
 * A CloudWatch Logs client for the audit log: one attempt per call by default (a failed append
 * fails its job, which the queue retries with backoff).
 */
export function createLogsClient(options: AwsClientOptions): CloudWatchLogsClient {
  return new CloudWatchLogsClient(
    clientConfig(options, {
      maxSockets: 5,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 5000,
      maxAttempts: 1,
      retryMode: 'standard',
    }),
  );
}
