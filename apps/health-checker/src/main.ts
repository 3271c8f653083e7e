import { loadConfigOrExit } from '@manga-assist/config';
import { createRedisConnection } from '@manga-assist/redis';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { createApp } from './app';
import { healthCheckerConfigSchema } from './config';

const APP = 'health-checker';

// Composition root: config → clients → app → start; the app stops on SIGTERM/SIGINT.
async function main() {
  const config = loadConfigOrExit(APP, healthCheckerConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);
  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger, registry });
  await createApp({ config, logger, registry, redis, handleSignals: true }).start();
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
