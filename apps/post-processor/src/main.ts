import {
  createDynamoClient,
  createKinesisClient,
  pingDynamo,
  pingKinesis,
  warmDynamo,
  streamDefinitions,
  tableDefinitions,
} from '@manga-assist/aws';
import { createAnalyticsSink, createRecordBatcher } from '@manga-assist/analytics';
import { createSharedResponseCache } from '@manga-assist/cache';
import { loadConfigOrExit, resolveAwsEndpoints } from '@manga-assist/config';
import { PRODUCT_VERSION } from '@manga-assist/contracts';
import { createDnsCache } from '@manga-assist/dns-cache';
import { createConfiguredGuardrail, createGuardedCacheWriter, createGuardrails } from '@manga-assist/guardrails';
import { createConnectionPool } from '@manga-assist/pools';
import { createDeadLetterQueue, createQueueMetrics, createQueueSet } from '@manga-assist/queue';
import { createRedisConnection } from '@manga-assist/redis';
import { createAskedCounters } from '@manga-assist/popularity';
import { createPostProcessorRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import type { ReadinessCheck, WarmUpStep } from '@manga-assist/server';
import { createSessionStore } from '@manga-assist/sessions';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { observeKinesisBatches } from './analytics.job';
import { postProcessorConfigSchema } from './config';
import { createHandlers } from './handlers';
import { createAuditSink } from './managed-services';
import { registerQueueBoard } from './queue-board';
import { sinksFor } from './queue-sinks';
import type { SinkName } from './queue-sinks';
import { createWorkerPool } from './worker-pool';

const APP = 'post-processor';

// Composition root: config → clients → app → start → shutdown.
async function main() {
  const config = loadConfigOrExit(APP, postProcessorConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);

  // Clients and sinks: creating them does no I/O; only the drained queues' sinks are checked and used.
  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger, registry });
  const endpoints = resolveAwsEndpoints(config);
  // Keep-alive pools per AWS downstream, resolving through the DNS cache (serve-stale, private pinning).
  const dns = createDnsCache({ log: logger, registry });
  const dynamoPool = createConnectionPool({ name: 'dynamodb', lookup: dns.lookup, registry });
  const kinesisPool = createConnectionPool({ name: 'kinesis', lookup: dns.lookup, registry });
  const dynamo = createDynamoClient({ region: config.AWS_REGION, endpoint: endpoints.dynamodb, localStack: config.LOCAL_STACK, pool: dynamoPool });
  const kinesis = createKinesisClient({ region: config.AWS_REGION, endpoint: endpoints.kinesis, localStack: config.LOCAL_STACK, pool: kinesisPool });
  const tables = tableDefinitions(config.TABLE_PREFIX);
  const streams = streamDefinitions(config.TABLE_PREFIX);
  const sessions = createSessionStore({
    dynamo,
    redis: redis.redis,
    tables: { sessions: tables.sessions.TableName, turns: tables.turns.TableName },
    keyPrefix: config.KEY_PREFIX,
    log: logger,
  });
  const cache = createSharedResponseCache({ redis: redis.redis, keyPrefix: config.KEY_PREFIX, log: logger });
  const batcher = createRecordBatcher({
    kinesis,
    streamName: streams.analytics.StreamName,
    lingerMs: config.ANALYTICS_LINGER_MS,
    onBatch: observeKinesisBatches(registry),
  });
  const { sink: audit, pool: logsPool } = createAuditSink(config, { lookup: dns.lookup, registry });
  const guardrails = createGuardrails({ maxTokens: config.GUARDRAIL_MAX_TOKENS });
  const { guardrail: remoteGuardrail, pool: guardrailPool } = createConfiguredGuardrail(config, { lookup: dns.lookup, registry });
  // Queue handles for metrics, the board, dead letters and the answered fan-out.
  const queues = createQueueSet({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  const handlers = createHandlers({
    'cache-write': { writer: createGuardedCacheWriter({ cache, guardrails, remote: remoteGuardrail }), registry },
    'session-update': { sessions, registry },
    'guardrail-check': {
      guardrails,
      remote: remoteGuardrail,
      redis: redis.redis,
      keyPrefix: config.KEY_PREFIX,
      registry,
      log: logger,
    },
    analytics: {
      sink: createAnalyticsSink({ batcher, redis: redis.redis, keyPrefix: config.KEY_PREFIX, log: logger }),
      asked: createAskedCounters({ redis: redis.redis, keyPrefix: config.KEY_PREFIX }),
    },
    audit: { sink: audit, redis: redis.redis, keyPrefix: config.KEY_PREFIX, log: logger },
    answered: { queues },
    'webhook-catalog': { dynamo, productsTable: tables.products.TableName, redis: redis.redis, keyPrefix: config.KEY_PREFIX, registry, log: logger },
    'webhook-payments': { redis: redis.redis, keyPrefix: config.KEY_PREFIX, registry },
    'webhook-reviews': { redis: redis.redis, keyPrefix: config.KEY_PREFIX, registry },
  });

  // One paused worker per drained queue.
  const deadLetters = createDeadLetterQueue({ queues });
  const pool = createWorkerPool({
    queues: config.QUEUES,
    handlers,
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    lockDurationMs: config.WORKER_LOCK_MS,
    stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
    deadLetters,
    metrics: createQueueMetrics({ registry, queues }),
    log: logger,
  });

  const sinks = sinksFor(config.QUEUES);
  const checks: (ReadinessCheck & { name: SinkName })[] = [
    { name: 'redis', check: redis.check },
    { name: 'dynamodb', check: () => pingDynamo(dynamo, tables.turns.TableName) },
    { name: 'kinesis', check: () => pingKinesis(kinesis, streams.analytics.StreamName) },
    { name: 'audit-log', check: () => audit.check() },
  ];
  const warmUps: (WarmUpStep & { name: SinkName })[] = [
    { name: 'redis', run: async () => void (await redis.redis.ping()) },
    { name: 'dynamodb', run: () => warmDynamo(dynamo, tables.sessions.TableName, 'sessionId') },
    { name: 'kinesis', run: () => pingKinesis(kinesis, streams.analytics.StreamName) },
  ];
  const service = await startService({
    app: APP,
    version: PRODUCT_VERSION,
    host: config.HOST,
    port: config.POST_PROCESSOR_PORT,
    logger,
    registry,
    controlToken: config.CONTROL_TOKEN,
    checks: checks.filter((c) => sinks.has(c.name)),
    // The drained queues' sinks opened (pools, TLS, credentials) before the workers start.
    warmUp: warmUps.filter((w) => sinks.has(w.name)),
    router: (deps) => createPostProcessorRouter({ ...deps, deadLetters }),
    routes: (server) => registerQueueBoard(server, { queues, controlToken: config.CONTROL_TOKEN }),
    // Stop taking jobs and finish those in flight, then flush the sinks, then close connections.
    shutdown: [
      { name: 'workers', run: () => pool.close() },
      { name: 'analytics', run: () => batcher.close() },
      { name: 'audit-log', run: () => audit.close() },
      { name: 'queues', run: () => queues.close() },
      { name: 'redis', run: () => redis.close() },
      { name: 'dynamodb', run: () => dynamo.destroy() },
      { name: 'kinesis', run: () => kinesis.destroy() },
      { name: 'guardrail', run: () => remoteGuardrail?.close() },
      { name: 'pools', run: () => [dynamoPool, kinesisPool, guardrailPool, logsPool].forEach((p) => p?.destroy()) },
    ],
  });

  // Each worker runs while its own sinks pass their readiness checks, and pauses while one fails.
  pool.start((sink) => service.readiness.results().some((c) => c.name === sink && c.ok));
  logger.info({ queues: config.QUEUES }, 'workers created paused; each starts once its sinks are reachable');
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
