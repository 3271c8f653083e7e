// The post-processor without its process: given the config and the clients main.ts built, it wires
// the handlers, one paused worker per drained queue, readiness, the HTTP/tRPC service and the
// shutdown order. Tests run it in-process against real engines.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createOperationStore, publishAnalysisEvent } from '@manga-assist/analyses';
import { createAnalyticsSink, createRecordBatcher } from '@manga-assist/analytics';
import type { AuditSink } from '@manga-assist/audit';
import { pingDynamo, pingKinesis, streamDefinitions, tableDefinitions, warmDynamo } from '@manga-assist/aws';
import { PRODUCT_VERSION } from '@manga-assist/contracts';
import { createGuardedCacheWriter, createGuardrails } from '@manga-assist/guardrails';
import type { GuardedCacheWriterDeps, RemoteGuardrail } from '@manga-assist/guardrails';
import { createDeadLetterQueue, createQueueMetrics, createQueueSet } from '@manga-assist/queue';
import type { RedisConnection } from '@manga-assist/redis';
import { createPostProcessorRouter } from '@manga-assist/rpc';
import { startService } from '@manga-assist/server';
import type { ReadinessCheck, RunningService, WarmUpStep } from '@manga-assist/server';
import { createSessionStore } from '@manga-assist/sessions';
import type { Logger, Registry } from '@manga-assist/telemetry';
import { analysisErrorOf } from './analysis.job';
import { observeKinesisBatches } from './analytics.job';
import type { AnalyticsJobDeps } from './analytics.job';
import type { PostProcessorConfig } from './config';
import { createOperatorCheck } from './operator-tokens';
import { createHandlers } from './handlers';
import { createModelConsumers } from './model-consumers';
import type { ModelConsumersDeps } from './model-consumers';
import { registerQueueBoard } from './queue-board';
import { sinksFor } from './queue-sinks';
import type { SinkName } from './queue-sinks';
import { createWorkerPool } from './worker-pool';

export interface PostProcessorDeps {
  config: PostProcessorConfig;
  logger: Logger;
  registry: Registry;
  redis: RedisConnection;
  dynamo: DynamoDBClient;
  kinesis: KinesisClient;
  /** The shared response cache; written only through the guarded writer. */
  cache: GuardedCacheWriterDeps['cache'];
  asked?: AnalyticsJobDeps['asked'];
  audit: AuditSink;
  remoteGuardrail?: RemoteGuardrail;
  /** Keep-alive pools of the clients above, destroyed once the clients are closed. */
  pools?: readonly ({ destroy(): void } | undefined)[];
  /** Stop on SIGTERM/SIGINT (off when a test runs the app in its own process). */
  handleSignals?: boolean;
  /** The model of the `analysis` queue and of suggested review replies (built from the config when not given). */
  model?: ModelConsumersDeps['model'];
  /** Where suggested review replies go (the operators' Redis list when not given). */
  reviewReplySink?: ModelConsumersDeps['reviewReplySink'];
}

export interface PostProcessorApp {
  /** Listens, and starts each queue's worker once its sinks pass their readiness checks. */
  start(): Promise<RunningService>;
  /** Stops taking jobs, finishes those in flight, flushes the sinks, closes every client. */
  stop(): Promise<void>;
}

export function createApp(deps: PostProcessorDeps): PostProcessorApp {
  const { config, logger, registry, redis, dynamo, kinesis, audit, remoteGuardrail } = deps;
  const tables = tableDefinitions(config.TABLE_PREFIX);
  const streams = streamDefinitions(config.TABLE_PREFIX);
  const batcher = createRecordBatcher({
    kinesis,
    streamName: streams.analytics.StreamName,
    lingerMs: config.ANALYTICS_LINGER_MS,
    onBatch: observeKinesisBatches(registry),
  });
  const guardrails = createGuardrails({ maxTokens: config.GUARDRAIL_MAX_TOKENS });
  // Queue handles for metrics, the board, dead letters and the answered-batch fan-out.
  const queues = createQueueSet({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  // The control token, or an admin's user token, opens the queue controls and control calls.
  const operators = createOperatorCheck(config);
  const keys = { redis: redis.redis, keyPrefix: config.KEY_PREFIX };
  // The model's consumers (review moderation, analyses) behind the loop guard and the cost breaker.
  const fm = createModelConsumers({ config, registry, log: logger, redis: redis.redis, guardrails, model: deps.model, reviewReplySink: deps.reviewReplySink });
  const operations = createOperationStore({ dynamo, tableName: tables.operations.TableName });
  const handlers = fm.guard(createHandlers({
    'cache-write': { writer: createGuardedCacheWriter({ cache: deps.cache, guardrails, remote: remoteGuardrail }), registry },
    'session-update': {
      sessions: createSessionStore({ dynamo, ...keys, tables: { sessions: tables.sessions.TableName, turns: tables.turns.TableName }, log: logger }),
      registry,
    },
    'guardrail-check': { guardrails, remote: remoteGuardrail, ...keys, registry, log: logger },
    analytics: { sink: createAnalyticsSink({ batcher, ...keys, log: logger }), asked: deps.asked },
    audit: { sink: audit, ...keys, log: logger },
    'answered-batch': { queues },
    'webhook-catalog': { dynamo, productsTable: tables.products.TableName, ...keys, registry, log: logger },
    'webhook-payments': { ...keys, registry },
    'webhook-reviews': { ...keys, registry, moderation: fm.moderation },
    analysis: {
      operations,
      model: fm.model,
      ...keys,
      timeoutMs: config.ANALYSIS_TIMEOUT_MS,
      maxTokens: config.ANALYSIS_MAX_TOKENS,
      progressIntervalMs: config.ANALYSIS_PROGRESS_MS,
      registry,
      log: logger,
    },
  }));
  const deadLetters = createDeadLetterQueue({ queues });
  const pool = createWorkerPool({
    queues: config.QUEUES,
    handlers,
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    lockDurationMs: config.WORKER_LOCK_MS,
    stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
    deadLetters,
    metrics: createQueueMetrics({ registry, queues }),
    log: logger,
    // An analysis whose job gave up for good (its workers died twice, or it failed its last attempt)
    // ends as Failed, so pollers and waiting sockets learn it; a no-op if the handler already said so.
    onFinalFailure(queue, job, error) {
      if (queue !== 'analysis') return;
      const operationId = (job.data as { operationId?: string }).operationId;
      if (!operationId) return;
      void operations
        .finish(operationId, { status: 'Failed', error: analysisErrorOf(error) })
        .then((operation) => operation && publishAnalysisEvent(redis.redis, config.KEY_PREFIX, { type: 'done', operationId, operation }))
        .catch((e: unknown) => logger.error({ operationId, err: (e as Error).message }, 'could not mark the analysis failed'));
    },
    hold: fm.hold,
  });
  fm.breaker.onChange(() => pool.regate());

  // Only the drained queues' sinks are checked and warmed.
  const sinks = sinksFor(config.QUEUES);
  const checks: (ReadinessCheck & { name: SinkName })[] = [
    { name: 'redis', check: redis.check },
    { name: 'dynamodb', check: () => pingDynamo(dynamo, tables.turns.TableName) },
    { name: 'kinesis', check: () => pingKinesis(kinesis, streams.analytics.StreamName) },
    { name: 'audit-log', check: () => audit.check() },
  ];
  const warmUps: (WarmUpStep & { name: SinkName })[] = [
    { name: 'redis', run: async () => void (await redis.redis.ping()) },
    { name: 'dynamodb', run: () => warmDynamo(dynamo, tables.sessions.TableName, 'sessionId') },
    { name: 'kinesis', run: () => pingKinesis(kinesis, streams.analytics.StreamName) },
  ];
  let service: RunningService | undefined;

  return {
    async start() {
      service = await startService({
        app: 'post-processor',
        version: PRODUCT_VERSION,
        host: config.HOST,
        port: config.POST_PROCESSOR_PORT,
        logger,
        registry,
        controlToken: config.CONTROL_TOKEN,
        checks: checks.filter((c) => sinks.has(c.name)),
        // The drained queues' sinks opened (pools, TLS, credentials) before the workers start.
        warmUp: warmUps.filter((w) => sinks.has(w.name)),
        router: (serviceDeps) => createPostProcessorRouter({ ...serviceDeps, deadLetters }),
        isOperator: operators,
        routes: (server) => registerQueueBoard(server, { queues, controlToken: config.CONTROL_TOKEN, isOperator: operators }),
        handleSignals: deps.handleSignals,
        // Stop taking jobs and finish those in flight, then flush the sinks, then close connections.
        shutdown: [
          { name: 'workers', run: () => pool.close() },
          { name: 'analytics', run: () => batcher.close() },
          { name: 'audit-log', run: () => audit.close() },
          { name: 'queues', run: () => queues.close() },
          { name: 'redis', run: () => redis.close() },
          { name: 'dynamodb', run: () => dynamo.destroy() },
          { name: 'kinesis', run: () => kinesis.destroy() },
          { name: 'guardrail', run: () => remoteGuardrail?.close() },
          { name: 'model', run: () => fm.close() },
          { name: 'pools', run: () => deps.pools?.forEach((p) => p?.destroy()) },
        ],
      });
      const running = service;
      // Each worker runs while its own sinks pass their readiness checks, and pauses while one fails.
      pool.start((sink) => running.readiness.results().some((c) => c.name === sink && c.ok));
      logger.info({ queues: config.QUEUES }, 'workers created paused; each starts once its sinks are reachable');
      return running;
    },
    async stop() {
      await service?.stop();
      service = undefined;
    },
  };
}
