import { loadConfigOrExit } from '@manga-assist/config';
import { PRODUCT_VERSION } from '@manga-assist/contracts';
import { createRedisConnection } from '@manga-assist/redis';
import { createSchedulerRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { schedulerConfigSchema } from './config';

const APP = 'prefetch-scheduler';

// Composition root: config → clients → app → start → shutdown.
async function main() {
  const config = loadConfigOrExit(APP, schedulerConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);
  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger });

  await startService({
    app: APP,
    version: PRODUCT_VERSION,
    host: config.HOST,
    port: config.SCHEDULER_PORT,
    logger,
    registry,
    controlToken: config.CONTROL_TOKEN,
    checks: [{ name: 'redis', check: redis.check }],
    router: createSchedulerRouter,
    shutdown: [{ name: 'redis', run: () => redis.close() }],
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
