import type { Tracer } from '@opentelemetry/api';
import { LRUCache } from 'lru-cache';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { pingDynamo, tableDefinitions, warmDynamo } from '@manga-assist/aws';
import { createSharedResponseCache } from '@manga-assist/cache';
import { createChatPipeline } from '@manga-assist/chat';
import type { ChatContext, ChatPipeline, ProductSource } from '@manga-assist/chat';
import { PRODUCT_VERSION } from '@manga-assist/contracts';
import type { PreferencesPatch, ProductSummary } from '@manga-assist/contracts';
import { createModelGateway, routeModel, warmUpModel } from '@manga-assist/fm';
import type { ConfiguredModelProvider } from '@manga-assist/fm';
import { createClassifier } from '@manga-assist/intent';
import { createTrendingStore } from '@manga-assist/popularity';
import type { ConnectionPool } from '@manga-assist/pools';
import { createRequestProfiler } from '@manga-assist/profiler';
import type { JobProducer } from '@manga-assist/queue';
import type { RedisConnection } from '@manga-assist/redis';
import { createDownstreamPolicies, downstreamSettingsFromConfig } from '@manga-assist/resilience';
import { createProductSource, followCatalogChanges, loadRetrieval, resolveSearchBackend } from '@manga-assist/retrieval';
import type { CatalogFollower, ProductRetriever } from '@manga-assist/retrieval';
import { createConnectionRegistry, subscribePushes } from '@manga-assist/connections';
import { createGatewayRouter, createServiceClient } from '@manga-assist/rpc';
import type { HealthCheckerRouter, PostProcessorRouter, SchedulerRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import type { RunningService, ShutdownStep } from '@manga-assist/server';
import { SessionIdSchema, createSessionStore, createTurnSequence } from '@manga-assist/sessions';
import type { SessionStore } from '@manga-assist/sessions';
import type { Logger, Registry } from '@manga-assist/telemetry';
import { createAnalyses } from './analyses';
import { registerAnalyzeHttp } from './analyze-http';
import { createCallerAuth } from './caller-auth';
import { answerCheckFor } from './answer-check';
import { registerBrowserPages } from './browser-pages';
import { registerCatalogHttp } from './catalog-http';
import { registerChatHttp } from './chat-http';
import { registerLocalTokenHttp } from './local-token-http';
import { registerOpenAiHttp } from './openai-http';
import { registerWebhooksHttp } from './webhooks-http';
import { createChatSocketServer } from './chat-socket';
import type { ChatSocketServer } from './chat-socket';
import type { GatewayConfig } from './config';
import { collectOpsStatus } from './ops-status';
import { createConnectionGate } from './connection-gate';
import { createFairLimits } from './fair-limits';
import { createOperatorAccess } from './operator-access';
import { recordHttpResponseSizes } from './response-size';
import type { StatusPeer } from './ops-status';

export const APP = 'chat-gateway';

/** The clients `main.ts` builds from the config; a test builds the same against local engines. */
export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  registry: Registry;
  redis: RedisConnection;
  dynamo: DynamoDBClient;
  producer: JobProducer;
  model: ConfiguredModelProvider;
  pools: { model: ConnectionPool; search: ConnectionPool };
  tracer?: Tracer;
  /** Closes what `main.ts` built, after the app's own parts (default: nothing). */
  shutdown?: ShutdownStep[];
  /** SIGTERM/SIGINT stop the app (default true; an in-process test stops it itself). */
  handleSignals?: boolean;
}

export interface GatewayApp {
  start(): Promise<RunningService>;
  stop(): Promise<void>;
}

/**
 * The chat gateway: the pipeline over the cache, retrieval, sessions and model, behind the
 * WebSocket and HTTP doors, with readiness, warm-up, the ops status and guardrail revisions.
 */
export function createApp(deps: GatewayDeps): GatewayApp {
  const { config, logger, registry, redis, dynamo, producer, model } = deps;
  // A breaker, bulkhead and timeout per downstream; segment histograms against their budgets.
  const policies = createDownstreamPolicies({ settings: downstreamSettingsFromConfig(config), registry, log: logger });
  const profiler = createRequestProfiler({ registry, log: logger, tracer: deps.tracer });
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
  const trendingStore = createTrendingStore({ redis: redis.redis, keyPrefix: config.KEY_PREFIX });

  // The catalog and its vector index load in the background; /readyz waits for them.
  let pipeline: ChatPipeline | undefined;
  let products: ProductSource | undefined;
  let catalogChanges: CatalogFollower | undefined;
  let titles: ProductRetriever | undefined;
  const retrievalReady = (async () => {
    const { retriever } = await loadRetrieval({
      catalogPath: config.CATALOG_PATH,
      indexDir: config.INDEX_DIR,
      log: logger,
      // OPENSEARCH_COLLECTION: not ready until the collection is ACTIVE.
      search: await resolveSearchBackend(config, { log: logger }),
      pools: deps.pools,
    });
    // Publishers' catalog updates, from every one recorded so far to each new one (Redis pub/sub).
    catalogChanges = followCatalogChanges({ redisUrl: config.REDIS_URL, keyPrefix: config.KEY_PREFIX, retriever, log: logger, connectionName: `manga-assist:${APP}:catalog` });
    products = createProductSource(retriever, trendingStore);
    titles = retriever;
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

  // Requests only arrive once /readyz says so, but a direct client may be early: it waits.
  const lazyPipeline: ChatPipeline = {
    async handle(...args) {
      await retrievalReady;
      return pipeline!.handle(...args);
    },
    drainAnswers: () => pipeline?.drainAnswers(),
  };
  const prefetch = createPrefetch(sessions, () => products);
  // Preferences a user sets shape their next recommendations at once (and later connections, once stored).
  const setPreferences = async (context: ChatContext, patch: PreferencesPatch) => {
    const session = await sessions.updatePreferences(context.sessionId, patch, { userId: context.userId });
    context.personalization = { preferences: session.preferences, recentTitleIds: context.personalization?.recentTitleIds ?? session.recentTitleIds };
    return session.preferences;
  };
  const peers = statusPeers(config);
  const auth = createCallerAuth(config, {
    // A session id that is not a valid key names no stored session.
    sessionOwner: async (id) => (SessionIdSchema.safeParse(id).success ? (await sessions.load(id)).session?.userId : undefined),
  });

  // Fair limits shared by every instance through Redis: `limits.consume('analyses', userId)` and the like.
  const limits = createFairLimits({ config, redis: redis.redis, registry, log: logger });
  // The control token, or a user token with the admin claim, opens the operations doors.
  const operators = createOperatorAccess(config.CONTROL_TOKEN, auth);
  // Long analyses: operations in DynamoDB, jobs on the post-processor's analysis queue, progress over Redis pub/sub.
  const analyses = createAnalyses({
    dynamo,
    tableName: tables.operations.TableName,
    redisUrl: config.REDIS_URL,
    keyPrefix: config.KEY_PREFIX,
    queuePrefix: config.QUEUE_PREFIX,
    log: logger,
    // The work a title names (its title or reading), else the nearest match by search.
    async resolveTitle(title) {
      await retrievalReady;
      const named = titles!.lookupTitles(title)[0];
      return named ? titles!.toProductSummary(named) : (await titles!.search(title, {}, 1)).products[0];
    },
  });

  let sockets: ChatSocketServer | undefined;
  // Pushes from other apps (guardrail revisions, …) reach the instance holding the connection: the
  // registry records which one, and each instance listens on its own channel (libs/connections).
  const connections = createConnectionRegistry({ redis: redis.redis, keyPrefix: config.KEY_PREFIX, instanceId: config.INSTANCE_ID, ttlMs: config.CONNECTION_TTL_MS, log: logger });
  const pushes = subscribePushes({
    redisUrl: config.REDIS_URL,
    keyPrefix: config.KEY_PREFIX,
    instanceId: config.INSTANCE_ID,
    log: logger,
    connectionName: `manga-assist:${APP}:pushes`,
    onPush: (connectionId, frame) => void sockets?.send(connectionId, frame),
  });

  let running: RunningService | undefined;
  return {
    async start() {
      running = await startService({
        app: APP,
        version: PRODUCT_VERSION,
        host: config.HOST,
        port: config.GATEWAY_PORT,
        logger,
        registry,
        controlToken: config.CONTROL_TOKEN,
        isOperator: operators.isOperator,
        handleSignals: deps.handleSignals,
        // Without Redis the gateway passes the cache through, without DynamoDB it answers with a
        // minimal session: degraded, still ready.
        checks: [
          { name: 'redis', check: redis.check, degradable: true },
          { name: 'dynamodb', check: () => pingDynamo(dynamo, tables.sessions.TableName), degradable: true },
          // Catalog updates recorded before this instance started are applied (needs Redis: degradable).
          { name: 'catalog-changes', check: () => catalogChanges?.ready ?? Promise.reject(new Error('catalog still loading')), degradable: true },
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
          { name: 'analyses', run: () => analyses.warmUp() },
          {
            name: 'vector-search',
            run: async () => {
              await retrievalReady;
              await products!.search('manga', {}, 1);
            },
          },
        ],
        router: (routerDeps) =>
          createGatewayRouter({
            ...routerDeps,
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
          recordHttpResponseSizes(server, registry);
          // Operations only: the control token (compared in constant time) or an admin's token.
          server.get('/v1/ops/status', async (request, reply) => {
            if (!(await operators.allows(request.headers))) {
              return reply.code(401).send({ type: 'error', code: 'unauthorized', message: 'the ops status needs the control token or an admin token (Authorization: Bearer <token>)' });
            }
            const [status, gateways] = await Promise.all([collectOpsStatus(self, peers), connections.stats().catch(() => undefined)]);
            return { ...status, gateways };
          });
          registerChatHttp(server, lazyPipeline, auth, { tokenFlushMs: config.TOKEN_FLUSH_MS, limits });
          registerOpenAiHttp(server, lazyPipeline, auth, { limits });
          registerAnalyzeHttp(server, analyses, auth, { retryAfterSeconds: config.ANALYZE_RETRY_AFTER_S, limits });
          if (auth.localToken) registerLocalTokenHttp(server, auth.localToken);
          registerWebhooksHttp(server, { config, redis: redis.redis, registry, log: logger, limits });
          registerCatalogHttp(server, { config, auth, log: logger, products: async () => (await retrievalReady, products!) });
          registerBrowserPages(server, { config, registry, log: logger, status: () => collectOpsStatus(self, peers), profile: () => profiler.snapshot(), downstreams: () => policies.states(), isOperator: operators.isOperator });
          sockets = createChatSocketServer({ pipeline: lazyPipeline, auth, prefetch, setPreferences, logger, registry, tokenFlushMs: config.TOKEN_FLUSH_MS, gate: createConnectionGate(limits, config), analyses, connections });
          connections.start();
          // Open sockets are told to go before the server stops (close code 1001).
          server.addHook('preClose', async () => sockets?.close());
          server.server.on('upgrade', (request, socket, head) => {
            if (new URL(request.url ?? '/', 'http://localhost').pathname === '/ws') sockets!.handleUpgrade(request, socket, head);
            else socket.destroy();
          });
        },
        // SIGTERM: not ready first, then answers in flight finish and clients are told to reconnect.
        drain: {
          notReadyMs: config.DRAIN_NOT_READY_MS,
          timeoutMs: config.DRAIN_TIMEOUT_MS,
          steps: [{ name: 'sockets', run: () => sockets?.drain({ timeoutMs: config.DRAIN_TIMEOUT_MS, retryAfterMs: config.RECONNECT_AFTER_MS }) }],
        },
        // The app's own parts first (answers gathered so far are handed to the producer), then
        // what main.ts built (the producer flushes them).
        shutdown: [
          { name: 'pushes', run: () => pushes.close() },
          { name: 'connections', run: () => connections.close() },
          { name: 'analyses', run: () => analyses.close() },
          { name: 'catalog-changes', run: () => catalogChanges?.close() },
          { name: 'answers', run: () => lazyPipeline.drainAnswers() },
          { name: 'cache', run: () => cache.close() },
          { name: 'policies', run: () => policies.dispose() },
          { name: 'limits', run: () => limits.close() },
          ...(deps.shutdown ?? []),
        ],
      });
      return running;
    },
    async stop() {
      await running?.stop();
    },
  };
}

/**
 * On connect: the session (Redis, then DynamoDB), the user's preferences and recent interactions,
 * and the trending list, read in parallel into the connection's context.
 */
function createPrefetch(sessions: SessionStore, products: () => ProductSource | undefined) {
  // Every connection is shown the same trending list: read at most once a second and shared (one
  // array held by all idle connections, one Redis read per second however many connect).
  const trendingNow = new LRUCache<'trending', ProductSummary[]>({ max: 1, ttl: 1000, fetchMethod: async () => products()?.list('trending', {}, 10) });
  return async (context: ChatContext) => {
    const started = performance.now();
    // A session id the gateway made for this connection names nothing stored yet: only the user's parts are read.
    const newSession = context.session === null;
    const [loaded, trending] = await Promise.all([sessions.loadContext(context.sessionId, context.userId, { newSession }), trendingNow.fetch('trending')]);
    // A session that could not be read is left for the first message to try again (and to report
    // as degraded if it still cannot), rather than taken for a new, empty one.
    const sessionFailed = loaded.errors.some((e) => e.part === 'session');
    if (!sessionFailed) context.session = loaded.session;
    context.prefetched = loaded.errors.length === 0;
    context.trending = trending;
    // Preferences and recent interactions shape recommendations (the pipeline's personalize step).
    if (context.userId !== undefined) context.personalization = { preferences: loaded.preferences, recentTitleIds: loaded.recentTitleIds };
    context.prefetchMs = performance.now() - started;
  };
}

/** The other apps whose status `/v1/ops/status` gathers. */
function statusPeers(config: GatewayConfig): StatusPeer[] {
  const peerClient = { timeoutMs: 1500 };
  const scheduler = createServiceClient<SchedulerRouter>({ baseUrl: config.SCHEDULER_URL, ...peerClient });
  const postProcessor = createServiceClient<PostProcessorRouter>({ baseUrl: config.POST_PROCESSOR_URL, ...peerClient });
  const healthChecker = createServiceClient<HealthCheckerRouter>({ baseUrl: config.HEALTH_CHECKER_URL, ...peerClient });
  return [
    { app: 'prefetch-scheduler', url: config.SCHEDULER_URL, status: () => scheduler.status.query() },
    { app: 'post-processor', url: config.POST_PROCESSOR_URL, status: () => postProcessor.status.query() },
    { app: 'health-checker', url: config.HEALTH_CHECKER_URL, status: () => healthChecker.status.query() },
  ];
}
