import { createDynamoClient, pingDynamo, tableDefinitions } from '@manga-assist/aws';
import { loadConfigOrExit, resolveAwsEndpoints } from '@manga-assist/config';
import { PRODUCT_VERSION } from '@manga-assist/contracts';
import { createRedisConnection } from '@manga-assist/redis';
import { createGatewayRouter, createServiceClient } from '@manga-assist/rpc';
import type { HealthCheckerRouter, PostProcessorRouter, SchedulerRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { gatewayConfigSchema } from './config';
import { collectOpsStatus } from './ops-status';
import type { StatusPeer } from './ops-status';

const APP = 'chat-gateway';

// Composition root: config → clients → app → start → shutdown.
async function main() {
  const config = loadConfigOrExit(APP, gatewayConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);

  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger });
  const endpoints = resolveAwsEndpoints(config);
  const dynamo = createDynamoClient({ region: config.AWS_REGION, endpoint: endpoints.dynamodb });
  const tables = tableDefinitions(config.TABLE_PREFIX);

  const peerClient = { timeoutMs: 1500 };
  const scheduler = createServiceClient<SchedulerRouter>({ baseUrl: config.SCHEDULER_URL, ...peerClient });
  const postProcessor = createServiceClient<PostProcessorRouter>({ baseUrl: config.POST_PROCESSOR_URL, ...peerClient });
  const healthChecker = createServiceClient<HealthCheckerRouter>({ baseUrl: config.HEALTH_CHECKER_URL, ...peerClient });
  const peers: StatusPeer[] = [
    { app: 'prefetch-scheduler', url: config.SCHEDULER_URL, status: () => scheduler.status.query() },
    { app: 'post-processor', url: config.POST_PROCESSOR_URL, status: () => postProcessor.status.query() },
    { app: 'health-checker', url: config.HEALTH_CHECKER_URL, status: () => healthChecker.status.query() },
  ];

  const service = await startService({
    app: APP,
    version: PRODUCT_VERSION,
    host: config.HOST,
    port: config.GATEWAY_PORT,
    logger,
    registry,
    controlToken: config.CONTROL_TOKEN,
    checks: [
      { name: 'redis', check: redis.check },
      { name: 'dynamodb', check: () => pingDynamo(dynamo, tables.sessions.TableName) },
    ],
    router: createGatewayRouter,
    routes(server, status) {
      const self = { url: `http://${config.HOST}:${config.GATEWAY_PORT}`, status };
      server.get('/v1/ops/status', async () => collectOpsStatus(self, peers));
    },
    shutdown: [
      { name: 'redis', run: () => redis.close() },
      { name: 'dynamodb', run: () => dynamo.destroy() },
    ],
  });
  void service;
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
