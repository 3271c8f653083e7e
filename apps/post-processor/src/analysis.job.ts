import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { publishAnalysisEvent } from '@manga-assist/analyses';
import type { OperationStore } from '@manga-assist/analyses';
import { MAX_CHAIN_DEPTH } from '@manga-assist/contracts';
import type { AnalysisError, AnalysisEvent, AnalysisJob, AnalysisResult, Operation } from '@manga-assist/contracts';
import { ModelStreamError, assemblePrompt } from '@manga-assist/fm';
import type { ModelProvider, ModelUsage } from '@manga-assist/fm';
import type { JobHandler } from '@manga-assist/queue';
import { Counter } from '@manga-assist/telemetry';
import type { Logger, Registry } from '@manga-assist/telemetry';

export interface AnalysisJobDeps {
  operations: OperationStore;
  model: ModelProvider;
  /** Publishes progress, tokens and the outcome on the operation's channel. */
  redis: Redis;
  keyPrefix: string;
  /** An attempt running longer than this is stopped and counts as failed (minutes). */
  timeoutMs: number;
  /** The model's output budget (4096 tokens). */
  maxTokens: number;
  /** How often progress is written to the operation record (which is also when a cancel is noticed). */
  progressIntervalMs: number;
  registry: Registry;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

const INSTRUCTIONS: Record<AnalysisJob['kind'], string> = {
  compare:
    'Task: a detailed comparison of the titles listed, point by point (creator, audience, price, availability, upcoming volumes), then which reader each suits.',
  'series-deep-dive':
    'Task: a deep dive into the series listed: what the store knows about it, its volumes and availability, and related titles, in well-organized sections.',
};

const DEFAULT_QUESTION: Record<AnalysisJob['language'], Record<AnalysisJob['kind'], string>> = {
  ja: { compare: 'これらの作品を比較してください', 'series-deep-dive': 'このシリーズを詳しく分析してください' },
  en: { compare: 'Compare these titles', 'series-deep-dive': 'Analyze this series in depth' },
};

/**
 * How far along an analysis looks after `tokens`: nobody knows its length in advance, so the bar
 * moves fast at first and ever slower towards 95 % (5 % at start, 100 % only once stored).
 */
export function percentOf(tokens: number): number {
  return Math.min(95, 5 + Math.floor(90 * (1 - Math.exp(-tokens / 200))));
}

class Canceled extends Error {
  override readonly name = 'Canceled';
}
class TimedOut extends Error {
  override readonly name = 'TimedOut';
}

/** The typed error an operation ends with after its last attempt failed. */
export function analysisErrorOf(error: unknown): AnalysisError {
  if (error instanceof TimedOut) return { code: 'timeout', message: error.message };
  if (error instanceof ModelStreamError) {
    return error.code === 'throttled'
      ? { code: 'model_throttled', message: 'the model is busy; start the analysis again later' }
      : { code: 'model_error', message: `the model failed (${error.code})` };
  }
  if (error instanceof Error && /stalled/i.test(error.message)) return { code: 'worker_lost', message: 'the workers running this analysis stopped twice' };
  return { code: 'internal', message: 'the analysis failed on our side' };
}

/**
 * One long analysis: Sonnet with a 4096-token budget, streamed to whoever waits on the operation's
 * channel, progress written to the operation record every `progressIntervalMs`. The final write is
 * conditional on the operation still running, so a result is stored once (two workers that both ran
 * it after a lapsed lock store one) and never over a cancel. A worker killed mid-run leaves the job
 * to BullMQ's stalled-job check, which hands it to another worker once; that attempt starts over.
 */
export function createAnalysisJob(deps: AnalysisJobDeps): JobHandler<'analysis'> {
  const { operations, model, redis, keyPrefix, log } = deps;
  const outcomes = new Counter({
    name: 'manga_assist_analyses_total',
    help: 'Analyses this process ended, by outcome (succeeded, failed, canceled, skipped: already finished or canceled before it ran).',
    labelNames: ['outcome'],
    registers: [deps.registry],
  });
  const publish = (event: AnalysisEvent) =>
    publishAnalysisEvent(redis, keyPrefix, event).catch((error: unknown) => {
      // Pollers still see the record; a WebSocket waiting for this event gets the final one.
      log.warn({ operationId: event.operationId, err: (error as Error).message }, 'analysis event not published');
    });
  const publishFinal = (operation: Operation | undefined) => (operation ? publish({ type: 'done', operationId: operation.id, operation }) : undefined);

  return async (data: AnalysisJob, job: Job) => {
    const id = data.operationId;
    if (data.chainDepth >= MAX_CHAIN_DEPTH || data.processingStage !== 'raw') {
      outcomes.inc({ outcome: 'failed' });
      return publishFinal(await operations.finish(id, { status: 'Failed', error: { code: 'internal', message: 'refused: the request came from processed output' } }));
    }
    const attempt = Math.max(1, job.attemptsStarted ?? job.attemptsMade + 1);
    const running = await operations.start(id, attempt);
    if (!running) {
      // Canceled before it ran, or already finished by an earlier attempt: nothing to do, nothing to store.
      outcomes.inc({ outcome: 'skipped' });
      await publishFinal((await operations.get(id))?.operation);
      return { skipped: true };
    }
    void publish({ type: 'progress', operationId: id, status: 'Running', attempt, progress: running.progress, ...(attempt > 1 ? { restarted: true } : {}) });

    const prompt = assemblePrompt({
      userText: data.question ?? DEFAULT_QUESTION[data.language][data.kind],
      intent: data.kind === 'compare' ? 'comparison' : 'title_lookup',
      history: [],
      products: data.products,
      maxProducts: data.products.length,
    });
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(new TimedOut(`the analysis took longer than ${Math.round(deps.timeoutMs / 1000)} s`)), deps.timeoutMs);
    let text = '';
    let tokens = 0;
    let stopReason = 'end_turn';
    let usage: ModelUsage | undefined;
    // Progress is written (and a cancel noticed) on a timer, not per token.
    let writing: Promise<void> | undefined;
    const writeProgress = () => {
      if (writing) return;
      const progress = { percent: percentOf(tokens), stage: 'writing' as const, tokens };
      writing = operations
        .progress(id, attempt, progress)
        .then((stillRunning) => {
          if (!stillRunning) abort.abort(new Canceled('the operation is no longer running'));
          else void publish({ type: 'progress', operationId: id, status: 'Running', attempt, progress });
        })
        .catch((error: unknown) => log.warn({ operationId: id, err: (error as Error).message }, 'analysis progress not recorded'))
        .finally(() => (writing = undefined));
    };
    const ticker = setInterval(writeProgress, deps.progressIntervalMs);
    try {
      for await (const event of model.stream({
        profile: 'sonnet',
        system: `${prompt.system}\n${INSTRUCTIONS[data.kind]}`,
        messages: prompt.messages,
        maxTokens: deps.maxTokens,
        grounding: prompt.grounding,
        purpose: 'analysis',
        signal: abort.signal,
      })) {
        if (event.type === 'token') {
          text += event.text;
          tokens++;
          void publish({ type: 'token', operationId: id, attempt, text: event.text });
        } else {
          stopReason = event.stopReason;
          usage = event.usage;
        }
      }
    } catch (error) {
      const reason = abort.signal.aborted ? abort.signal.reason : error;
      if (reason instanceof Canceled) {
        outcomes.inc({ outcome: 'canceled' });
        log.info({ operationId: id, attempt }, 'analysis canceled: model stopped, nothing stored');
        await publishFinal((await operations.get(id))?.operation);
        return { canceled: true };
      }
      const failure = reason instanceof Error ? reason : new Error(String(reason));
      // The last attempt's failure ends the operation; an earlier one is retried (BullMQ's backoff).
      if (failure.name === 'UnrecoverableError' || job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        outcomes.inc({ outcome: 'failed' });
        await publishFinal(await operations.finish(id, { status: 'Failed', error: analysisErrorOf(failure) }));
      }
      throw failure;
    } finally {
      clearTimeout(timeout);
      clearInterval(ticker);
      await writing;
    }

    const result: AnalysisResult = { text, model: 'sonnet', stopReason, ...(usage ? { usage } : {}), products: data.products };
    const stored = await operations.finish(id, { status: 'Succeeded', result });
    if (stored) {
      outcomes.inc({ outcome: 'succeeded' });
      await publishFinal(stored);
      return { stored: true };
    }
    // Canceled while the last tokens came, or stored already by another worker: keep what is there.
    outcomes.inc({ outcome: 'skipped' });
    await publishFinal((await operations.get(id))?.operation);
    return { stored: false };
  };
}
