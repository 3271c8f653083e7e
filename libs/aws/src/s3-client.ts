import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig } from './client-config';
import type { AwsClientOptions } from './client-config';

/**
 * An S3 client. A custom endpoint (s3rver locally, any S3-compatible store) is addressed path-style
 * (`http://host:port/bucket/key`): a local host has no per-bucket DNS names. Checksums are sent only
 * where S3 requires them, which S3-compatible stores without the newer checksum headers accept.
 */
export function createS3Client(options: AwsClientOptions): S3Client {
  return new S3Client({
    ...clientConfig(options, {
      maxSockets: 10,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: 10_000,
      maxAttempts: 3,
      retryMode: 'standard',
    }),
    forcePathStyle: options.endpoint !== undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
