import { createSharedResponseCache } from '@manga-assist/cache';
import { PRODUCT_VERSION } from '@manga-assist/contracts';
import { createModelGateway, routeModel, warmUpModel } from '@manga-assist/fm';
import type { ConfiguredModelProvider } from '@manga-assist/fm';
import { createGuardedCacheWriter, createGuardrails } from '@manga-assist/guardrails';
import type { RemoteGuardrail } from '@manga-assist/guardrails';
import { createClassifier } from '@manga-assist/intent';
import { createAskedCounters, createTrendingStore } from '@manga-assist/popularity';
import type { ConnectionPool } from '@manga-assist/pools';
import type { RedisConnection } from '@manga-assist/redis';
import { createProductSource, loadRetrieval, resolveSearchBackend } from '@manga-assist/retrieval';
import { createSchedulerRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import type { RunningService, ShutdownStep } from '@manga-assist/server';
import type { Logger, Registry } from '@manga-assist/telemetry';
import { precomputeAnswers } from './answer-precomputer';
import type { SchedulerConfig } from './config';
import { taskSettings } from './config';
import { createRedisRunCoordinator } from './run-coordinator';
import { createTaskRunner } from './task-runner';
import type { TaskRunner } from './task-runner';
import { TASK_NAMES } from './tasks/task-defaults';

export const APP = 'prefetch-scheduler';

/** The clients `main.ts` builds from the config; a test builds the same against local engines. */
export interface SchedulerDeps {
  config: SchedulerConfig;
  logger: Logger;
  registry: Registry;
  redis: RedisConnection;
  model: ConfiguredModelProvider;
  pools: { model: ConnectionPool; search: ConnectionPool };
  /** Bedrock ApplyGuardrail when configured: pre-computed answers pass it before they are cached. */
  remoteGuardrail?: RemoteGuardrail;
  /** Closes what `main.ts` built, after the app's own parts. */
  shutdown?: ShutdownStep[];
  handleSignals?: boolean;
}

export interface SchedulerApp {
  /** Serves status at once; the first round of every task runs once the catalog is loaded, then the schedule. */
  start(): Promise<RunningService>;
  /** Resolves once the first round ran and the schedule started; rejects if the catalog could not load. */
  scheduled(): Promise<void>;
  stop(): Promise<void>;
}

/** The prefetch scheduler: cron tasks that pre-compute the most common answers, one replica per slot. */
export function createApp(deps: SchedulerDeps): SchedulerApp {
  const { config, logger, registry, redis, model } = deps;
  const cache = createSharedResponseCache({ redis: redis.redis, keyPrefix: config.KEY_PREFIX, threshold: config.CACHE_SIMILARITY_THRESHOLD, log: logger });
  // Pre-computed answers pass the same guardrail gate as every other write into the shared cache.
  const writer = createGuardedCacheWriter({ cache, guardrails: createGuardrails(), remote: deps.remoteGuardrail });
  const trendingStore = createTrendingStore({ redis: redis.redis, keyPrefix: config.KEY_PREFIX });
  const settings = Object.fromEntries(TASK_NAMES.map((name) => [name, taskSettings(config, name)])) as Parameters<typeof createTaskRunner>[0]['settings'];

  // The catalog and index load in the background; the tasks start once they are there.
  let runner: TaskRunner | undefined;
  const loading = (async () => {
    const { catalog, retriever } = await loadRetrieval({
      catalogPath: config.CATALOG_PATH,
      indexDir: config.INDEX_DIR,
      log: logger,
      // OPENSEARCH_COLLECTION: not ready until the collection is ACTIVE.
      search: await resolveSearchBackend(config, { log: logger }),
      pools: deps.pools,
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

  let running: RunningService | undefined;
  let stopped = false;
  let scheduling: Promise<void> = Promise.resolve();
  return {
    async start() {
      const service = await startService({
        app: APP,
        version: PRODUCT_VERSION,
        host: config.HOST,
        port: config.SCHEDULER_PORT,
        logger,
        registry,
        controlToken: config.CONTROL_TOKEN,
        handleSignals: deps.handleSignals,
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
        router: (routerDeps) =>
          createSchedulerRouter({
            ...routerDeps,
            tasks: () => runner?.statuses() ?? [],
            warmNow: async (task) => {
              await loading;
              return runner!.runNow(task);
            },
          }),
        shutdown: [
          {
            name: 'tasks',
            run: () => {
              stopped = true;
              return runner?.stop();
            },
          },
          { name: 'cache', run: () => cache.close() },
          ...(deps.shutdown ?? []),
        ],
      });
      running = service;
      scheduling = (async () => {
        await loading;
        // The first round runs at start-up (one replica per task), then on schedule.
        while (!stopped && !service.readiness.results().find((c) => c.name === 'redis')?.ok) await new Promise((r) => setTimeout(r, 200));
        if (stopped) return;
        await runner!.warmAll();
        if (stopped) return;
        runner!.start();
        logger.info({ tasks: TASK_NAMES.map((n) => `${n} ${settings[n].schedule}`) }, 'tasks scheduled');
      })();
      return service;
    },
    scheduled: () => scheduling,
    async stop() {
      await running?.stop();
    },
  };
}
