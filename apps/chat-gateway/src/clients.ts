import { createDynamoClient } from '@manga-assist/aws';
import { resolveAwsEndpoints } from '@manga-assist/config';
import { createDnsCache } from '@manga-assist/dns-cache';
import { createModelProviderFromConfig, modelProviderConfig } from '@manga-assist/fm';
import { createConnectionPool } from '@manga-assist/pools';
import { createJobProducer } from '@manga-assist/queue';
import { createRedisConnection } from '@manga-assist/redis';
import { downstreamSettingsFromConfig } from '@manga-assist/resilience';
import type { ShutdownStep } from '@manga-assist/server';
import type { Logger, Registry } from '@manga-assist/telemetry';
import type { GatewayDeps } from './app';
import { APP } from './app';
import type { GatewayConfig } from './config';
import { modelPoolSettings } from './model-pool';

type GatewayClients = Pick<GatewayDeps, 'redis' | 'dynamo' | 'producer' | 'model' | 'pools'> & { shutdown: ShutdownStep[] };

/**
 * The gateway's connections, built from its config: keep-alive pools per downstream resolving
 * through the DNS cache (serve-stale, private pinning), Redis, DynamoDB, the job producer and the
 * model provider; `shutdown` closes them in order (queued jobs flushed first).
 */
export function createClients(config: GatewayConfig, { logger, registry }: { logger: Logger; registry: Registry }): GatewayClients {
  const dns = createDnsCache({ log: logger, registry });
  const dynamoPool = createConnectionPool({ name: 'dynamodb', lookup: dns.lookup, registry });
  const modelPool = createConnectionPool({ name: 'model', lookup: dns.lookup, registry, settings: modelPoolSettings(downstreamSettingsFromConfig(config)) });
  const searchPool = createConnectionPool({ name: 'search', lookup: dns.lookup, registry });
  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger, registry });
  const dynamo = createDynamoClient({ region: config.AWS_REGION, endpoint: resolveAwsEndpoints(config).dynamodb, localStack: config.LOCAL_STACK, pool: dynamoPool });
  const producer = createJobProducer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, log: logger, registry });
  const model = createModelProviderFromConfig(modelProviderConfig(config), { pool: modelPool });
  return {
    redis,
    dynamo,
    producer,
    model,
    pools: { model: modelPool, search: searchPool },
    shutdown: [
      { name: 'jobs', run: () => producer.flush(5000).then(() => producer.close()) },
      { name: 'model', run: () => model.close() },
      { name: 'redis', run: () => redis.close() },
      { name: 'dynamodb', run: () => dynamo.destroy() },
      { name: 'pools', run: () => [dynamoPool, modelPool, searchPool].forEach((p) => p.destroy()) },
    ],
  };
}
