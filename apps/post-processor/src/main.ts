import { createDynamoClient, createKinesisClient } from '@manga-assist/aws';
import { createSharedResponseCache } from '@manga-assist/cache';
import { loadConfigOrExit, resolveAwsEndpoints } from '@manga-assist/config';
import { createDnsCache } from '@manga-assist/dns-cache';
import { createModelProviderFromConfig, modelProviderConfig } from '@manga-assist/fm';
import { createConfiguredGuardrail } from '@manga-assist/guardrails';
import { createAskedCounters } from '@manga-assist/popularity';
import { createConnectionPool } from '@manga-assist/pools';
import { createRedisConnection } from '@manga-assist/redis';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { createApp } from './app';
import { postProcessorConfigSchema } from './config';
import { createAuditSink } from './managed-services';

const APP = 'post-processor';

// Composition root: config → clients → app → start; the app stops on SIGTERM/SIGINT.
async function main() {
  const config = loadConfigOrExit(APP, postProcessorConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);

  // Creating clients does no I/O; only the drained queues' sinks are checked and used.
  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger, registry });
  const endpoints = resolveAwsEndpoints(config);
  // Keep-alive pools per AWS downstream, resolving through the DNS cache (serve-stale, private pinning).
  const dns = createDnsCache({ log: logger, registry });
  const dynamoPool = createConnectionPool({ name: 'dynamodb', lookup: dns.lookup, registry });
  const kinesisPool = createConnectionPool({ name: 'kinesis', lookup: dns.lookup, registry });
  const { sink: audit, pool: logsPool } = createAuditSink(config, { lookup: dns.lookup, registry });
  const { guardrail: remoteGuardrail, pool: guardrailPool } = createConfiguredGuardrail(config, { lookup: dns.lookup, registry });
  // The model and the Bedrock guardrail reach the same bedrock-runtime host: one `model` pool for both.
  const modelPool = guardrailPool ?? createConnectionPool({ name: 'model', lookup: dns.lookup, registry });
  const model = createModelProviderFromConfig(modelProviderConfig(config), { pool: modelPool });

  const app = createApp({
    config,
    logger,
    registry,
    redis,
    dynamo: createDynamoClient({ region: config.AWS_REGION, endpoint: endpoints.dynamodb, localStack: config.LOCAL_STACK, pool: dynamoPool }),
    kinesis: createKinesisClient({ region: config.AWS_REGION, endpoint: endpoints.kinesis, localStack: config.LOCAL_STACK, pool: kinesisPool }),
    cache: createSharedResponseCache({ redis: redis.redis, keyPrefix: config.KEY_PREFIX, log: logger }),
    asked: createAskedCounters({ redis: redis.redis, keyPrefix: config.KEY_PREFIX }),
    audit,
    remoteGuardrail,
    model,
    pools: [dynamoPool, kinesisPool, modelPool, logsPool],
    handleSignals: true,
  });
  await app.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
