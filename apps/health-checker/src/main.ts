import { loadConfigOrExit } from '@manga-assist/config';
import { PRODUCT_VERSION } from '@manga-assist/contracts';
import { createRedisConnection } from '@manga-assist/redis';
import { createHealthCheckerRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { healthCheckerConfigSchema } from './config';
import { createHealthChecker } from './health-checker';

const APP = 'health-checker';

// Composition root: config → clients → app → start → shutdown.
async function main() {
  const config = loadConfigOrExit(APP, healthCheckerConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);
  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger, registry });
  const checker = await createHealthChecker({ config, logger, registry, redis: redis.redis });

  await startService({
    app: APP,
    version: PRODUCT_VERSION,
    host: config.HOST,
    port: config.HEALTH_CHECKER_PORT,
    logger,
    registry,
    controlToken: config.CONTROL_TOKEN,
    checks: [{ name: 'redis', check: redis.check }, ...checker.checks],
    warmUp: [{ name: 'redis', run: async () => void (await redis.redis.ping()) }],
    router: (deps) => createHealthCheckerRouter(checker.routerDeps(deps)),
    shutdown: [
      { name: 'probes', run: () => checker.stop() },
      { name: 'redis', run: () => redis.close() },
    ],
  });
  // After the server is up, so the first round's timings do not include its start-up work.
  checker.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
