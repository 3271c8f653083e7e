import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  DEFAULT_RESOURCE_PREFIX,
  createDynamoClient,
  createKinesisClient,
  ensureStreams,
  ensureTables,
  streamDefinitions,
  tableDefinitions,
} from '@manga-assist/aws';
import type { Logger } from '@manga-assist/aws';
import { LOCAL_CREDENTIALS, LOCAL_EXPORT_BUCKET } from '@manga-assist/config';
import { startDynalite, startKinesalite, startS3rver } from '@manga-assist/testing';
import { catalogFileSource, syncCatalog } from './catalog-source';
import type { CatalogSource } from './catalog-source';
import { lockDataDir } from './data-dir-lock';
import type { ImportCatalogResult } from './import-catalog';
import { resolveRedis } from './resolve-redis';
import type { ResolveRedisOptions } from './resolve-redis';

export interface LocalStackOptions {
  /** Everything the stack keeps lives here: dynamodb/, kinesis/ (LevelDB), s3/ (files), redis/. */
  dataDir?: string;
  /** 0 picks a free port (tests). */
  dynamoPort?: number;
  kinesisPort?: number;
  /** The S3 stand-in (s3rver) for catalog exports; default 4569. */
  s3Port?: number;
  /** The bucket created in it (default `manga-assist-exports`, the gateway's default EXPORT_BUCKET). */
  exportBucket?: string;
  host?: string;
  /** REDIS_URL: used as is. Without it, 127.0.0.1:6379 or a spawned redis-server. */
  redisUrl?: string;
  importCatalog?: boolean;
  /** Defaults to the built catalog file. */
  catalog?: CatalogSource;
  tablePrefix?: string;
  /** Passed on to resolveRedis (tests point these elsewhere). */
  redis?: Pick<ResolveRedisOptions, 'defaultUrl' | 'redisServer'>;
  log: Logger;
}

export interface LocalStack {
  redisUrl: string;
  dynamoEndpoint: string;
  kinesisEndpoint: string;
  s3Endpoint: string;
  exportBucket: string;
  tablePrefix: string;
  /** What the catalog import did; undefined when importCatalog is false. */
  catalogImport?: ImportCatalogResult;
  /** Stops what this call started, in reverse order; never a Redis it did not spawn. */
  stop(): Promise<void>;
}

// Any region works locally; it only shapes ARNs and request signing.
const LOCAL_REGION = 'us-east-1';

/**
 * The local stand-ins for the managed engines, for `npm start` and app integration tests:
 * Redis, dynalite, kinesalite and s3rver persisted under `dataDir`, tables, streams and the exports
 * bucket created, and the
 * catalog imported into the products table when it changed.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const {
    dataDir = '.data',
    dynamoPort = 8000,
    kinesisPort = 4568,
    s3Port = 4569,
    exportBucket = LOCAL_EXPORT_BUCKET,
    host = '127.0.0.1',
    tablePrefix = DEFAULT_RESOURCE_PREFIX,
    log,
  } = options;
  const started = performance.now();
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    // Reverse order: engines before the Redis and the lock they were started after.
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        log.error({ err: error }, 'local stack: stop failed');
      }
    }
  };

  try {
    await mkdir(dataDir, { recursive: true });
    const lock = await lockDataDir(dataDir);
    stops.push(() => lock.release());

    const redis = await resolveRedis({ redisUrl: options.redisUrl, dataDir, log, ...options.redis });
    stops.push(() => redis.stop());

    const dynamo = await startDynalite({ path: path.join(dataDir, 'dynamodb'), port: dynamoPort, host });
    stops.push(() => dynamo.stop());
    const kinesis = await startKinesalite({ path: path.join(dataDir, 'kinesis'), port: kinesisPort, host });
    stops.push(() => kinesis.stop());
    // Catalog exports: objects as files under s3/, signed with the stand-in credentials the apps use.
    const s3 = await startS3rver({ directory: path.join(dataDir, 's3'), port: s3Port, host, buckets: [exportBucket], accessKeys: [LOCAL_CREDENTIALS] });
    stops.push(() => s3.stop());
    log.info({ dynamodb: dynamo.endpoint, kinesis: kinesis.endpoint, s3: s3.endpoint, dataDir }, 'local engines listening');

    const dynamoClient = createDynamoClient({ region: LOCAL_REGION, endpoint: dynamo.endpoint });
    const kinesisClient = createKinesisClient({ region: LOCAL_REGION, endpoint: kinesis.endpoint });
    let catalogImport: ImportCatalogResult | undefined;
    try {
      const tables = tableDefinitions(tablePrefix);
      await Promise.all([
        ensureTables(dynamoClient, tables, { log }),
        ensureStreams(kinesisClient, streamDefinitions(tablePrefix), { log }),
      ]);
      if (options.importCatalog ?? true) {
        catalogImport = await syncCatalog(dynamoClient, {
          productsTable: tables.products.TableName,
          metaTable: tables.meta.TableName,
          source: options.catalog ?? catalogFileSource(),
          log,
        });
      }
    } finally {
      dynamoClient.destroy();
      kinesisClient.destroy();
    }

    log.info({ ms: Math.round(performance.now() - started) }, 'local stack ready');
    return {
      redisUrl: redis.url,
      dynamoEndpoint: dynamo.endpoint,
      kinesisEndpoint: kinesis.endpoint,
      s3Endpoint: s3.endpoint,
      exportBucket,
      tablePrefix,
      catalogImport,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
