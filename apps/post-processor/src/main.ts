import {
  createDynamoClient,
  createKinesisClient,
  pingDynamo,
  pingKinesis,
  streamDefinitions,
  tableDefinitions,
} from '@manga-assist/aws';
import { loadConfigOrExit, resolveAwsEndpoints } from '@manga-assist/config';
import { PRODUCT_VERSION } from '@manga-assist/contracts';
import { createRedisConnection } from '@manga-assist/redis';
import { createPostProcessorRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { postProcessorConfigSchema } from './config';

const APP = 'post-processor';

// Composition root: config → clients → app → start → shutdown.
async function main() {
  const config = loadConfigOrExit(APP, postProcessorConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);

  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger, blocking: true });
  const endpoints = resolveAwsEndpoints(config);
  const dynamo = createDynamoClient({ region: config.AWS_REGION, endpoint: endpoints.dynamodb });
  const kinesis = createKinesisClient({ region: config.AWS_REGION, endpoint: endpoints.kinesis });
  const tables = tableDefinitions(config.TABLE_PREFIX);
  const streams = streamDefinitions(config.TABLE_PREFIX);

  await startService({
    app: APP,
    version: PRODUCT_VERSION,
    host: config.HOST,
    port: config.POST_PROCESSOR_PORT,
    logger,
    registry,
    controlToken: config.CONTROL_TOKEN,
    checks: [
      { name: 'redis', check: redis.check },
      { name: 'dynamodb', check: () => pingDynamo(dynamo, tables.turns.TableName) },
      { name: 'kinesis', check: () => pingKinesis(kinesis, streams.analytics.StreamName) },
    ],
    router: createPostProcessorRouter,
    shutdown: [
      { name: 'redis', run: () => redis.close() },
      { name: 'dynamodb', run: () => dynamo.destroy() },
      { name: 'kinesis', run: () => kinesis.destroy() },
    ],
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
