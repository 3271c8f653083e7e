import type { Worker } from 'bullmq';
import {
  createDynamoClient,
  createKinesisClient,
  pingDynamo,
  pingKinesis,
  streamDefinitions,
  tableDefinitions,
} from '@manga-assist/aws';
import { createResponseCache } from '@manga-assist/cache';
import { loadConfigOrExit, resolveAwsEndpoints } from '@manga-assist/config';
import { PRODUCT_VERSION } from '@manga-assist/contracts';
import { createJobWorker } from '@manga-assist/queue';
import { createRedisConnection } from '@manga-assist/redis';
import { createHashedNgramEmbedder } from '@manga-assist/retrieval';
import { createPostProcessorRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import { createSessionStore } from '@manga-assist/sessions';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { postProcessorConfigSchema } from './config';
import { createHandlers } from './handlers';

const APP = 'post-processor';

// Composition root: config → clients → app → start → shutdown.
async function main() {
  const config = loadConfigOrExit(APP, postProcessorConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);

  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger });
  const endpoints = resolveAwsEndpoints(config);
  const dynamo = createDynamoClient({ region: config.AWS_REGION, endpoint: endpoints.dynamodb });
  const kinesis = createKinesisClient({ region: config.AWS_REGION, endpoint: endpoints.kinesis });
  const tables = tableDefinitions(config.TABLE_PREFIX);
  const streams = streamDefinitions(config.TABLE_PREFIX);
  const sessions = createSessionStore({
    dynamo,
    redis: redis.redis,
    tables: { sessions: tables.sessions.TableName, turns: tables.turns.TableName },
    keyPrefix: config.KEY_PREFIX,
    log: logger,
  });
  const embedder = createHashedNgramEmbedder({ dimensions: 384 });
  const cache = createResponseCache({
    redis: redis.redis,
    embed: embedder.embedSync,
    dimensions: embedder.dimensions,
    keyPrefix: `${config.KEY_PREFIX}rc:`,
    log: logger,
  });
  const handlers = createHandlers({ sessions, cache, registry });

  // Workers are created paused and start draining only once their sinks are reachable.
  const workers: Worker[] = [];
  for (const name of config.QUEUES) {
    if (name === 'session-update' || name === 'cache-write') {
      const handler = handlers[name] as Parameters<typeof createJobWorker>[1];
      const worker = createJobWorker(name, handler, { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
      worker.on('failed', (job, error) => logger.warn({ queue: name, jobId: job?.id, attempt: job?.attemptsMade, err: error.message }, 'job failed'));
      worker.on('error', (error) => logger.warn({ queue: name, err: error.message }, 'worker error'));
      workers.push(worker);
    }
  }

  const service = await startService({
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
      { name: 'workers', run: () => Promise.all(workers.map((w) => w.close())) },
      { name: 'redis', run: () => redis.close() },
      { name: 'dynamodb', run: () => dynamo.destroy() },
      { name: 'kinesis', run: () => kinesis.destroy() },
    ],
  });

  const startWhenReady = setInterval(() => {
    if (!service.readiness.isReady()) return;
    clearInterval(startWhenReady);
    for (const worker of workers) void worker.run();
    logger.info({ queues: config.QUEUES }, 'workers draining');
  }, 200);
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
