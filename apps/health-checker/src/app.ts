// The health checker without its process: given the config and the Redis connection main.ts built,
// it wires the probes, the report store, readiness, the HTTP/tRPC service and the shutdown order.
// Tests run it in-process.
import { PRODUCT_VERSION } from '@manga-assist/contracts';
import type { RedisConnection } from '@manga-assist/redis';
import { createHealthCheckerRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import type { RunningService } from '@manga-assist/server';
import type { Logger, Registry } from '@manga-assist/telemetry';
import type { HealthCheckerConfig } from './config';
import { createHealthChecker } from './health-checker';

export interface HealthCheckerDeps {
  config: HealthCheckerConfig;
  logger: Logger;
  registry: Registry;
  redis: RedisConnection;
  /** Stop on SIGTERM/SIGINT (main.ts); off by default, so a test process keeps its own signals. */
  handleSignals?: boolean;
}

export interface HealthCheckerApp {
  /** Listens, then starts the probe rounds; /readyz turns 200 once the first round has finished. */
  start(): Promise<RunningService>;
  /** Stops accepting, stops the probe rounds, then closes Redis (also when never started). */
  stop(): Promise<void>;
}

export function createApp({ config, logger, registry, redis, handleSignals = false }: HealthCheckerDeps): HealthCheckerApp {
  let service: RunningService | undefined;

  return {
    async start() {
      if (service) throw new Error('health-checker: already started');
      const checker = await createHealthChecker({ config, logger, registry, redis: redis.redis });
      service = await startService({
        app: 'health-checker',
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
        handleSignals,
      });
      // After the server is up, so the first round's timings do not include its start-up work.
      checker.start();
      return service;
    },
    async stop() {
      if (service) await service.stop();
      else await redis.close();
      service = undefined;
    },
  };
}
