import { loadConfigOrExit } from '@manga-assist/config';
import { startTracing } from '@manga-assist/profiler';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { APP, createApp } from './app';
import { createClients } from './clients';
import { gatewayConfigSchema } from './config';

// Composition root: config → clients → app → start → shutdown.
async function main() {
  const config = loadConfigOrExit(APP, gatewayConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);
  // Spans are exported only when a collector is configured.
  const tracing = startTracing({ serviceName: APP, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, log: logger });
  const clients = createClients(config, { logger, registry });

  const app = createApp({
    config,
    logger,
    registry,
    ...clients,
    tracer: tracing.tracer,
    shutdown: [...clients.shutdown, { name: 'tracing', run: () => tracing.shutdown() }],
  });
  await app.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
