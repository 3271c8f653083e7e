import { loadConfigOrExit } from '@manga-assist/config';
import { createDnsCache } from '@manga-assist/dns-cache';
import { createModelProviderFromConfig, modelProviderConfig } from '@manga-assist/fm';
import { createConfiguredGuardrail } from '@manga-assist/guardrails';
import { createConnectionPool } from '@manga-assist/pools';
import { createRedisConnection } from '@manga-assist/redis';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { APP, createApp } from './app';
import { schedulerConfigSchema } from './config';

// Composition root: config → clients → app → start → shutdown.
async function main() {
  const config = loadConfigOrExit(APP, schedulerConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);

  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger, registry });
  // The model's keep-alive pool resolves through the DNS cache (serve-stale, private pinning).
  const dns = createDnsCache({ log: logger, registry });
  const modelPool = createConnectionPool({ name: 'model', lookup: dns.lookup, registry });
  const searchPool = createConnectionPool({ name: 'search', lookup: dns.lookup, registry });
  const model = createModelProviderFromConfig(modelProviderConfig(config), { pool: modelPool });
  const { guardrail: remoteGuardrail, pool: guardrailPool } = createConfiguredGuardrail(config, { lookup: dns.lookup, registry });

  const app = createApp({
    config,
    logger,
    registry,
    redis,
    model,
    pools: { model: modelPool, search: searchPool },
    remoteGuardrail,
    shutdown: [
      { name: 'model', run: () => model.close() },
      { name: 'guardrail', run: () => remoteGuardrail?.close() },
      { name: 'pools', run: () => [modelPool, searchPool, guardrailPool].forEach((p) => p?.destroy()) },
      { name: 'redis', run: () => redis.close() },
    ],
  });
  await app.start();
  await app.scheduled();
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
