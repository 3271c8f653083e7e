import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { RequestListener } from 'node:http';
import { assertPortFree } from './free-port';
import { listenEngine } from './local-engine';
import type { LocalEngine } from './local-engine';

export interface S3rverOptions {
  /** Where objects are kept: they survive restarts. A temporary directory, removed on stop, when omitted. */
  directory?: string;
  /** 0 (the default) lets the OS pick a free port. */
  port?: number;
  host?: string;
  /** Buckets that exist once it listens (created if missing). */
  buckets?: string[];
  /**
   * Access keys it accepts besides its own `S3RVER`: the stand-in credentials the apps sign with
   * (`LOCAL_CREDENTIALS`). s3rver checks that the key exists; it does not verify SigV4 signatures.
   */
  accessKeys?: { accessKeyId: string; secretAccessKey: string }[];
}

interface S3rverInstance {
  configureBuckets(): Promise<void>;
  callback(): RequestListener;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
interface AwsAccountModule {
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
}

/**
 * Starts s3rver (an S3 API on the file system) in this process, path-style
 * (`http://host:port/bucket/key`), on an ephemeral port unless `port` is given. Pre-signed GET URLs
 * made by the AWS SDK download from it with plain HTTP.
 */
export async function startS3rver(options: S3rverOptions = {}): Promise<LocalEngine> {
  const { port = 0, host = '127.0.0.1' } = options;
  await assertPortFree(port, host, 's3rver');
  const load = createRequire(__filename);
  const S3rver = load('s3rver') as S3rverClass;
  const accounts = load('s3rver/lib/models/account') as AwsAccountModule;
  for (const key of options.accessKeys ?? []) accounts.DUMMY_ACCOUNT.createKeyPair(key.accessKeyId, key.secretAccessKey);
  const temporary = options.directory === undefined ? mkdtempSync(path.join(os.tmpdir(), 'manga-assist-s3-')) : undefined;
  const s3 = new S3rver({
    directory: options.directory ?? temporary,
    silent: true,
    // Path-style only: no bucket is ever looked for in the host name.
    vhostBuckets: false,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  await s3.configureBuckets();
  // Its own listen() installs process-wide exception handlers; a plain server serving its handler does not.
  const server = http.createServer(s3.callback());
  const engine = await listenEngine('s3rver', server, { port, host });
  return {
    ...engine,
    async stop() {
      await engine.stop();
      if (temporary) rmSync(temporary, { recursive: true, force: true });
    },
  };
}
