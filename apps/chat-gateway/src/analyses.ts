import { createOperationStore, createAnalysisSubscriber, operationIdFor, requestHashOf } from '@manga-assist/analyses';
import type { AnalysisSubscriber, OperationStore, StoredOperation } from '@manga-assist/analyses';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ANALYSIS_QUEUE, TERMINAL_STATUSES } from '@manga-assist/contracts';
import type { AnalysisEvent, AnalysisServerFrame, AnalyzeRequest, Operation, ProductSummary } from '@manga-assist/contracts';
import { detectLanguage } from '@manga-assist/fm';
import { createJobSubmitter } from '@manga-assist/queue';
import type { JobSubmitter } from '@manga-assist/queue';
import type { Logger } from '@manga-assist/telemetry';

/** Why an analyze call was refused, with the HTTP status it maps to. */
export class AnalyzeError extends Error {
  constructor(
    readonly code: 'not_found' | 'not_cancelable' | 'idempotency_key_reused' | 'unavailable',
    readonly status: number,
    message: string,
    readonly operation?: Operation,
  ) {
    super(message);
  }
}

export interface AnalysesDeps {
  dynamo: DynamoDBClient;
  tableName: string;
  redisUrl: string;
  keyPrefix: string;
  queuePrefix: string;
  /** The catalog row a title names (title lookup, then the nearest by search); undefined while the catalog loads. */
  resolveTitle(title: string): Promise<ProductSummary | undefined>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** A socket waiting on an analysis also reads its record this often, in case an event was missed. */
  pollMs?: number;
  operations?: OperationStore;
  submitter?: JobSubmitter;
  subscriber?: AnalysisSubscriber;
}

export interface Analyses {
  /** Stores the operation and queues its job; with an Idempotency-Key a retry returns the first one. */
  start(userId: string, request: AnalyzeRequest, idempotencyKey?: string): Promise<{ operation: Operation; created: boolean }>;
  /** The caller's operation; another user's (or none) is `not_found` alike. */
  get(userId: string, id: string): Promise<Operation>;
  cancel(userId: string, id: string): Promise<Operation>;
  /**
   * Runs an analysis for a WebSocket: progress, token and a final done frame, for as long as it
   * takes. Aborting stops the frames (the analysis goes on and can be read by its id).
   */
  stream(userId: string, request: AnalyzeRequest, requestId: string, send: (frame: AnalysisServerFrame) => void, signal: AbortSignal): Promise<void>;
  /** Opens what the first request would (the queue's connection, the table's), so it is not slower. */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

export function createAnalyses(deps: AnalysesDeps): Analyses {
  const { log, pollMs = 5000 } = deps;
  const operations = deps.operations ?? createOperationStore({ dynamo: deps.dynamo, tableName: deps.tableName });
  const submitter = deps.submitter ?? createJobSubmitter({ redisUrl: deps.redisUrl, prefix: deps.queuePrefix });
  const subscriber = deps.subscriber ?? createAnalysisSubscriber({ redisUrl: deps.redisUrl, keyPrefix: deps.keyPrefix, log, connectionName: 'manga-assist:chat-gateway:analyses' });

  const owned = async (userId: string, id: string): Promise<StoredOperation> => {
    const stored = await operations.get(id);
    // Someone else's operation reads exactly like one that does not exist.
    if (!stored || stored.userId !== userId) throw new AnalyzeError('not_found', 404, `no analysis ${id}`);
    return stored;
  };

  const startWithId = async (id: string, userId: string, request: AnalyzeRequest) => {
    const requestHash = requestHashOf(request);
    // The titles are looked up while the operation is stored (both are needed only for a new job).
    const resolving = Promise.all(request.titles.map((t) => deps.resolveTitle(t)));
    resolving.catch(() => undefined);
    const { stored, created } = await operations.create({ id, userId, requestHash, ...request });
    if (stored.userId !== userId) throw new AnalyzeError('not_found', 404, `no analysis ${id}`);
    if (!created && stored.requestHash !== requestHash) {
      throw new AnalyzeError('idempotency_key_reused', 422, 'this Idempotency-Key was used for a different request; use a new key');
    }
    // Queued again only while not started: the job id is the operation id, so BullMQ keeps one job
    // even if the first POST stored the operation and then lost its answer.
    if (stored.operation.status === 'NotStarted') {
      const products = (await resolving).filter((p): p is ProductSummary => p !== undefined);
      const unique = [...new Map(products.map((p) => [p.id, p])).values()];
      await submitter.submit(ANALYSIS_QUEUE, [
        {
          operationId: id,
          userId,
          kind: request.kind,
          titles: request.titles,
          question: request.question,
          products: unique,
          language: detectLanguage(request.question ?? request.titles.join(' ')),
          requestedAt: stored.operation.createdAt,
          chainDepth: 0,
          processingStage: 'raw',
        },
      ]);
    }
    return { operation: stored.operation, created };
  };

  return {
    start: (userId, request, idempotencyKey) => startWithId(operationIdFor(userId, idempotencyKey), userId, request),

    get: async (userId, id) => (await owned(userId, id)).operation,

    async cancel(userId, id) {
      await owned(userId, id);
      const { canceled, operation } = await operations.cancel(id);
      if (!operation) throw new AnalyzeError('not_found', 404, `no analysis ${id}`);
      if (!canceled) throw new AnalyzeError('not_cancelable', 409, `the analysis has already ended (${operation.status})`, operation);
      log.info({ operationId: id }, 'analysis canceled');
      return operation;
    },

    async stream(userId, request, requestId, send, signal) {
      const id = operationIdFor(userId, undefined);
      let attempt = 0;
      let finished = false;
      let resolveDone: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (resolveDone = resolve));
      const finish = (operation: Operation) => {
        if (finished) return;
        finished = true;
        send({
          type: 'done',
          requestId,
          operationId: id,
          status: operation.status as 'Succeeded' | 'Failed' | 'Canceled',
          ...(operation.result ? { result: operation.result } : {}),
          ...(operation.error ? { error: operation.error } : {}),
        });
        resolveDone();
      };
      const onEvent = (event: AnalysisEvent) => {
        if (finished) return;
        if (event.type === 'done') return finish(event.operation);
        // A later attempt (the worker before it died) voids the tokens of the earlier one.
        if (event.attempt < attempt) return;
        if (event.type === 'progress') {
          attempt = event.attempt;
          send({ type: 'progress', requestId, operationId: id, status: event.status, attempt, progress: event.progress, ...(event.restarted ? { restarted: true } : {}) });
        } else if (event.attempt === attempt) {
          send({ type: 'token', requestId, text: event.text });
        }
      };
      // Subscribed before the job exists, so not one event is missed.
      const unwatch = await subscriber.watch(id, onEvent);
      const poll = setInterval(() => {
        void operations.get(id).then(
          (stored) => stored && TERMINAL_STATUSES.includes(stored.operation.status) && finish(stored.operation),
          () => undefined,
        );
      }, pollMs);
      const onAbort = () => resolveDone();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const { operation } = await startWithId(id, userId, request);
        // Unless the worker was quicker and has said more already.
        if (attempt === 0 && !finished) send({ type: 'progress', requestId, operationId: id, status: operation.status, attempt: 0, progress: operation.progress });
        await done;
      } finally {
        clearInterval(poll);
        signal.removeEventListener('abort', onAbort);
        await unwatch();
      }
    },

    async warmUp() {
      await Promise.all([submitter.backlog(ANALYSIS_QUEUE), operations.get(operationIdFor('warm-up', undefined))]);
    },

    async close() {
      await subscriber.close();
      if (!deps.submitter) await submitter.close();
    },
  };
}
