import { createDynamoClient, pingDynamo, tableDefinitions, warmDynamo } from '@manga-assist/aws';
import { createSharedResponseCache } from '@manga-assist/cache';
import { createChatPipeline } from '@manga-assist/chat';
import type { ChatContext, ChatPipeline, ProductSource } from '@manga-assist/chat';
import { createClassifier } from '@manga-assist/intent';
import { createTrendingStore } from '@manga-assist/popularity';
import { createProductSource, loadRetrieval, searchBackendConfig } from '@manga-assist/retrieval';
import { loadConfigOrExit, resolveAwsEndpoints } from '@manga-assist/config';
import { PRODUCT_VERSION } from '@manga-assist/contracts';
import { createDnsCache } from '@manga-assist/dns-cache';
import { createModelGateway, createModelProviderFromConfig, modelProviderConfig, routeModel, warmUpModel } from '@manga-assist/fm';
import { createConnectionPool } from '@manga-assist/pools';
import { createRequestProfiler, startTracing } from '@manga-assist/profiler';
import { createJobProducer } from '@manga-assist/queue';
import { createRedisConnection } from '@manga-assist/redis';
import { createDownstreamPolicies, downstreamSettingsFromConfig } from '@manga-assist/resilience';
import { subscribeRevisions } from '@manga-assist/revisions';
import { createGatewayRouter, createServiceClient } from '@manga-assist/rpc';
import type { HealthCheckerRouter, PostProcessorRouter, SchedulerRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import { createSessionStore, createTurnSequence } from '@manga-assist/sessions';
import { createLogger, createMetricsRegistry } from '@manga-assist/telemetry';
import { answerCheckFor } from './answer-check';
import { registerChatHttp } from './chat-http';
import { createChatSocketServer } from './chat-socket';
import type { ChatSocketServer } from './chat-socket';
import { gatewayConfigSchema } from './config';
import { modelPoolSettings } from './model-pool';
import { collectOpsStatus } from './ops-status';
import type { StatusPeer } from './ops-status';

const APP = 'chat-gateway';

// Composition root: config → clients → app → start → shutdown.
async function main() {
  const config = loadConfigOrExit(APP, gatewayConfigSchema);
  const logger = createLogger({ app: APP, level: config.LOG_LEVEL });
  const registry = createMetricsRegistry(APP);

  // Resilience and profiling: a breaker, bulkhead and timeout per downstream; segment histograms
  // against their budgets, and spans (exported only when a collector is configured).
  const policies = createDownstreamPolicies({ settings: downstreamSettingsFromConfig(config), registry, log: logger });
  const tracing = startTracing({ serviceName: APP, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, log: logger });
  const profiler = createRequestProfiler({ registry, log: logger, tracer: tracing.tracer });
  // Keep-alive pools per downstream, resolving through the DNS cache (serve-stale, private pinning).
  const dns = createDnsCache({ log: logger, registry });
  const dynamoPool = createConnectionPool({ name: 'dynamodb', lookup: dns.lookup, registry });
  const modelPool = createConnectionPool({ name: 'model', lookup: dns.lookup, registry, settings: modelPoolSettings(downstreamSettingsFromConfig(config)) });
  const searchPool = createConnectionPool({ name: 'search', lookup: dns.lookup, registry });

  const redis = createRedisConnection({ url: config.REDIS_URL, name: APP, logger, registry });
  const endpoints = resolveAwsEndpoints(config);
  const dynamo = createDynamoClient({ region: config.AWS_REGION, endpoint: endpoints.dynamodb, localStack: config.LOCAL_STACK, pool: dynamoPool });
  const tables = tableDefinitions(config.TABLE_PREFIX);
  const sessions = createSessionStore({
    dynamo,
    redis: redis.redis,
    tables: { sessions: tables.sessions.TableName, turns: tables.turns.TableName },
    keyPrefix: config.KEY_PREFIX,
    log: logger,
  });
  // Exact entries are held in memory (Redis invalidates them on write or expiry): a repeated
  // question is answered without a round trip.
  const cache = createSharedResponseCache({
    redis: redis.redis,
    keyPrefix: config.KEY_PREFIX,
    threshold: config.CACHE_SIMILARITY_THRESHOLD,
    log: logger,
    local: config.CACHE_LOCAL_MAX_MB > 0 ? { maxBytes: config.CACHE_LOCAL_MAX_MB * 1024 * 1024, log: logger, registry } : undefined,
  });
  const producer = createJobProducer({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, log: logger, registry });
  const model = createModelProviderFromConfig(modelProviderConfig(config), { pool: modelPool });
  const trendingStore = createTrendingStore({ redis: redis.redis, keyPrefix: config.KEY_PREFIX });

  // The catalog and its vector index load in the background; /readyz waits for them.
  let pipeline: ChatPipeline | undefined;
  let products: ProductSource | undefined;
  const retrievalReady = (async () => {
    const { retriever } = await loadRetrieval({
      catalogPath: config.CATALOG_PATH,
      indexDir: config.INDEX_DIR,
      log: logger,
      search: searchBackendConfig(config),
      pools: { search: searchPool, model: modelPool },
    });
    products = createProductSource(retriever, trendingStore);
    pipeline = createChatPipeline({
      classifier: createClassifier(retriever),
      cache,
      products,
      sessions: { load: async (id) => (await sessions.load(id)).session },
      model: createModelGateway(model),
      route: routeModel,
      producer,
      // Turns are numbered a few milliseconds at a time (one script call), within the answers' own window.
      sequence: createTurnSequence({ redis: redis.redis, keyPrefix: config.KEY_PREFIX, batchWindowMs: Math.min(5, config.ANSWER_BATCH_MS) }),
      registry,
      log: logger,
      policies,
      profiler,
      answerBatchMs: config.ANSWER_BATCH_MS,
      answerCheck: answerCheckFor(config),
    });
  })();
  retrievalReady.catch((error: unknown) => logger.error({ err: error }, 'catalog or index failed to load'));

  const prefetch = async (context: ChatContext) => {
    const started = performance.now();
    const [loaded, trending] = await Promise.all([
      sessions.loadContext(context.sessionId, context.userId),
      products?.list('trending', {}, 10),
    ]);
    // A session that could not be read is left for the first message to try again (and to report
    // as degraded if it still cannot), rather than taken for a new, empty one.
    const sessionFailed = loaded.errors.some((e) => e.part === 'session');
    if (!sessionFailed) context.session = loaded.session;
    context.prefetched = loaded.errors.length === 0;
    context.trending = trending;
    context.prefetchMs = performance.now() - started;
  };

  const peerClient = { timeoutMs: 1500 };
  const scheduler = createServiceClient<SchedulerRouter>({ baseUrl: config.SCHEDULER_URL, ...peerClient });
  const postProcessor = createServiceClient<PostProcessorRouter>({ baseUrl: config.POST_PROCESSOR_URL, ...peerClient });
  const healthChecker = createServiceClient<HealthCheckerRouter>({ baseUrl: config.HEALTH_CHECKER_URL, ...peerClient });
  const peers: StatusPeer[] = [
    { app: 'prefetch-scheduler', url: config.SCHEDULER_URL, status: () => scheduler.status.query() },
    { app: 'post-processor', url: config.POST_PROCESSOR_URL, status: () => postProcessor.status.query() },
    { app: 'health-checker', url: config.HEALTH_CHECKER_URL, status: () => healthChecker.status.query() },
  ];

  // Requests only arrive once /readyz says so, but a direct client may be early: it waits.
  const lazyPipeline: ChatPipeline = {
    async handle(...args) {
      await retrievalReady;
      return pipeline!.handle(...args);
    },
    drainAnswers: () => pipeline?.drainAnswers(),
  };
  let sockets: ChatSocketServer | undefined;
  // A guardrail revision reaches whichever gateway instance holds the connection (Redis pub/sub).
  const revisions = subscribeRevisions({
    redisUrl: config.REDIS_URL,
    keyPrefix: config.KEY_PREFIX,
    log: logger,
    connectionName: `manga-assist:${APP}:revisions`,
    onRevision: (connectionId, frame) => void sockets?.send(connectionId, frame),
  });

  await startService({
    app: APP,
    version: PRODUCT_VERSION,
    host: config.HOST,
    port: config.GATEWAY_PORT,
    logger,
    registry,
    controlToken: config.CONTROL_TOKEN,
    // Without Redis the gateway passes the cache through, without DynamoDB it answers with a
    // minimal session: degraded, still ready.
    checks: [
      { name: 'redis', check: redis.check, degradable: true },
      { name: 'dynamodb', check: () => pingDynamo(dynamo, tables.sessions.TableName), degradable: true },
      {
        name: 'catalog',
        check: async () => {
          if (!pipeline) throw new Error('catalog and vector index still loading');
        },
      },
    ],
    // Every pool opened and every downstream called once before the first user arrives.
    warmUp: [
      { name: 'redis', run: async () => void (await redis.redis.ping()) },
      { name: 'dynamodb', run: () => warmDynamo(dynamo, tables.sessions.TableName, 'sessionId') },
      { name: 'model', run: () => warmUpModel(model) },
      {
        name: 'vector-search',
        run: async () => {
          await retrievalReady;
          await products!.search('manga', {}, 1);
        },
      },
    ],
    router: (deps) =>
      createGatewayRouter({
        ...deps,
        profile: () => profiler.snapshot(),
        downstreams: () => policies.states(),
        setModelFaults: (plans) => {
          if (!('setFailures' in model) || typeof model.setFailures !== 'function') return false;
          model.setFailures(plans);
          logger.warn({ plans }, 'model faults injected');
          return true;
        },
      }),
    routes(server, status) {
      const self = { url: `http://${config.HOST}:${config.GATEWAY_PORT}`, status };
      server.get('/v1/ops/status', async () => collectOpsStatus(self, peers));
      registerChatHttp(server, lazyPipeline, { tokenFlushMs: config.TOKEN_FLUSH_MS });
      sockets = createChatSocketServer({ pipeline: lazyPipeline, prefetch, logger, registry, tokenFlushMs: config.TOKEN_FLUSH_MS });
      // Open sockets are told to go before the server stops (close code 1001).
      server.addHook('preClose', async () => sockets?.close());
      server.server.on('upgrade', (request, socket, head) => {
        if (new URL(request.url ?? '/', 'http://localhost').pathname === '/ws') sockets!.handleUpgrade(request, socket, head);
        else socket.destroy();
      });
    },
    shutdown: [
      { name: 'revisions', run: () => revisions.close() },
      {
        name: 'jobs',
        run: () => {
          lazyPipeline.drainAnswers();
          return producer.flush(5000).then(() => producer.close());
        },
      },
      { name: 'model', run: () => model.close() },
      { name: 'cache', run: () => cache.close() },
      { name: 'redis', run: () => redis.close() },
      { name: 'dynamodb', run: () => dynamo.destroy() },
      { name: 'pools', run: () => [dynamoPool, modelPool, searchPool].forEach((p) => p.destroy()) },
      { name: 'tracing', run: () => tracing.shutdown() },
      { name: 'policies', run: () => policies.dispose() },
    ],
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${APP}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
