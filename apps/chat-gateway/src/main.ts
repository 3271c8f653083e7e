import { createDynamoClient } from '@manga-assist/aws';
import { loadConfigOrExit, resolveAwsEndpoints } from '@manga-assist/config';
import { createDnsCache } from '@manga-assist/dns-cache';
import { createModelProviderFromConfig, modelProviderConfig } from '@manga-assist/fm';
import { createConnectionPool } from '@manga-assist/pools';
import { startTracing } from '@manga-assist/profiler';
import { createJobProducer } from '@manga-assist/queue';
import { createRedisConnection } from '@manga-assist/redis';
import { downstreamSettingsFromConfig } from '@manga-assist/resilience';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { APP, createApp } from './app';
import { gatewayConfigSchema } from './config';
import { modelPoolSettings } from './model-pool';

// Composition root: config → clients → app → start → shutdown.
async function main() {
  const config = loadConfigOrExit(APP, gatewayConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);
  // Spans are exported only when a collector is configured.
  const tracing = startTracing({ serviceName: APP, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, log: logger });

  // Keep-alive pools per downstream, resolving through the DNS cache (serve-stale, private pinning).
  const dns = createDnsCache({ log: logger, registry });
  const dynamoPool = createConnectionPool({ name: 'dynamodb', lookup: dns.lookup, registry });
  const modelPool = createConnectionPool({ name: 'model', lookup: dns.lookup, registry, settings: modelPoolSettings(downstreamSettingsFromConfig(config)) });
  const searchPool = createConnectionPool({ name: 'search', lookup: dns.lookup, registry });

  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger, registry });
  const dynamo = createDynamoClient({ region: config.AWS_REGION, endpoint: resolveAwsEndpoints(config).dynamodb, localStack: config.LOCAL_STACK, pool: dynamoPool });
  const producer = createJobProducer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, log: logger, registry });
  const model = createModelProviderFromConfig(modelProviderConfig(config), { pool: modelPool });

  const app = createApp({
    config,
    logger,
    registry,
    redis,
    dynamo,
    producer,
    model,
    pools: { model: modelPool, search: searchPool },
    tracer: tracing.tracer,
    shutdown: [
      { name: 'jobs', run: () => producer.flush(5000).then(() => producer.close()) },
      { name: 'model', run: () => model.close() },
      { name: 'redis', run: () => redis.close() },
      { name: 'dynamodb', run: () => dynamo.destroy() },
      { name: 'pools', run: () => [dynamoPool, modelPool, searchPool].forEach((p) => p.destroy()) },
      { name: 'tracing', run: () => tracing.shutdown() },
    ],
  });
  await app.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
