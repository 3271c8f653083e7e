import { KinesisClient } from '@aws-sdk/client-kinesis';
import { clientConfig } from './client-config';
import type { AwsClientOptions } from './client-config';

/**
 * A Kinesis client over HTTP/1.1. The SDK's default for Kinesis is HTTP/2 (for SubscribeToShard,
 * which this product does not use); kinesalite only speaks HTTP/1.1 and fails every call with
 * "Protocol error" otherwise. `options.pool` (a `kinesis` pool from @manga-assist/pools) keeps it
 * on HTTP/1.1 too.
 */
export function createKinesisClient(options: AwsClientOptions): KinesisClient {
  return new KinesisClient(
    clientConfig(options, {
      maxSockets: 10,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 5000,
      maxAttempts: 3,
      retryMode: 'standard',
    }),
  );
}
