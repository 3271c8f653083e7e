import { createSharedResponseCache } from '@manga-assist/cache';
import { createConfiguredGuardrail, createGuardedCacheWriter, createGuardrails } from '@manga-assist/guardrails';
import { createClassifier } from '@manga-assist/intent';
import { createAskedCounters, createTrendingStore } from '@manga-assist/popularity';
import { createProductSource, loadRetrieval, searchBackendConfig } from '@manga-assist/retrieval';
import { loadConfigOrExit } from '@manga-assist/config';
import { PRODUCT_VERSION } from '@manga-assist/contracts';
import { createDnsCache } from '@manga-assist/dns-cache';
import { createModelGateway, createModelProviderFromConfig, modelProviderConfig, routeModel, warmUpModel } from '@manga-assist/fm';
import { createConnectionPool } from '@manga-assist/pools';
import { createRedisConnection } from '@manga-assist/redis';
import { createSchedulerRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { precomputeAnswers } from './answer-precomputer';
import { schedulerConfigSchema, taskSettings } from './config';
import { createRedisRunCoordinator } from './run-coordinator';
import { createTaskRunner } from './task-runner';
import type { TaskRunner } from './task-runner';
import { TASK_NAMES } from './tasks/task-defaults';

const APP = 'prefetch-scheduler';

// Composition root: config → clients → app → start → shutdown.
async function main() {
  const config = loadConfigOrExit(APP, schedulerConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);

  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger, registry });
  const cache = createSharedResponseCache({ redis: redis.redis, keyPrefix: config.KEY_PREFIX, threshold: config.CACHE_SIMILARITY_THRESHOLD, log: logger });
  // The model's keep-alive pool resolves through the DNS cache (serve-stale, private pinning).
  const dns = createDnsCache({ log: logger, registry });
  const modelPool = createConnectionPool({ name: 'model', lookup: dns.lookup, registry });
  const searchPool = createConnectionPool({ name: 'search', lookup: dns.lookup, registry });
  const model = createModelProviderFromConfig(modelProviderConfig(config), { pool: modelPool });
  // Pre-computed answers pass the same guardrail gate as every other write into the shared cache.
  const { guardrail: remoteGuardrail, pool: guardrailPool } = createConfiguredGuardrail(config, { lookup: dns.lookup, registry });
  const writer = createGuardedCacheWriter({ cache, guardrails: createGuardrails(), remote: remoteGuardrail });
  const trendingStore = createTrendingStore({ redis: redis.redis, keyPrefix: config.KEY_PREFIX });
  const settings = Object.fromEntries(TASK_NAMES.map((name) => [name, taskSettings(config, name)])) as Parameters<typeof createTaskRunner>[0]['settings'];

  // The catalog and index load in the background; the tasks start once they are there.
  let runner: TaskRunner | undefined;
  const loading = (async () => {
    const { catalog, retriever } = await loadRetrieval({
      catalogPath: config.CATALOG_PATH,
      indexDir: config.INDEX_DIR,
      log: logger,
      search: searchBackendConfig(config),
      pools: { search: searchPool, model: modelPool },
    });
    const classifier = createClassifier(retriever);
    const products = createProductSource(retriever, trendingStore);
    const modelGateway = createModelGateway(model);
    runner = createTaskRunner({
      deps: {
        catalog,
        retriever,
        asked: createAskedCounters({ redis: redis.redis, keyPrefix: config.KEY_PREFIX }),
        trendingStore,
        topTitlesCount: config.TOP_TITLES_COUNT,
        precompute: (questions, ttlSeconds) =>
          precomputeAnswers({ classifier, products, model: modelGateway, route: routeModel, writer }, questions, {
            ttlSeconds,
            concurrency: config.PRECOMPUTE_CONCURRENCY,
          }),
      },
      settings,
      coordinator: createRedisRunCoordinator({ redis: redis.redis, keyPrefix: config.KEY_PREFIX, instanceId: config.INSTANCE_ID }),
      redis: redis.redis,
      keyPrefix: config.KEY_PREFIX,
      instanceId: config.INSTANCE_ID,
      logger,
      registry,
    });
  })();

  const service = await startService({
    app: APP,
    version: PRODUCT_VERSION,
    host: config.HOST,
    port: config.SCHEDULER_PORT,
    logger,
    registry,
    controlToken: config.CONTROL_TOKEN,
    checks: [
      { name: 'redis', check: redis.check },
      {
        name: 'warm',
        check: async () => {
          if (!runner) throw new Error('catalog and vector index still loading');
          if (!runner.warmed()) throw new Error('first pre-computation still running');
        },
      },
    ],
    warmUp: [
      { name: 'redis', run: async () => void (await redis.redis.ping()) },
      { name: 'model', run: () => warmUpModel(model) },
    ],
    router: (deps) =>
      createSchedulerRouter({
        ...deps,
        tasks: () => runner?.statuses() ?? [],
        warmNow: async (task) => {
          await loading;
          return runner!.runNow(task);
        },
      }),
    shutdown: [
      { name: 'tasks', run: () => runner?.stop() },
      { name: 'model', run: () => model.close() },
      { name: 'guardrail', run: () => remoteGuardrail?.close() },
      { name: 'pools', run: () => [modelPool, searchPool, guardrailPool].forEach((p) => p?.destroy()) },
      { name: 'redis', run: () => redis.close() },
    ],
  });

  await loading;
  // The first round runs at start-up (one replica per task), then on schedule.
  const waitForRedis = async () => {
    while (!service.readiness.results().find((c) => c.name === 'redis')?.ok) await new Promise((r) => setTimeout(r, 200));
  };
  await waitForRedis();
  await runner!.warmAll();
  runner!.start();
  logger.info({ tasks: TASK_NAMES.map((n) => `${n} ${settings[n].schedule}`) }, 'tasks scheduled');
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
