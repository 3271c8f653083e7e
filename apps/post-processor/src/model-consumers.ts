// The post-processor's consumers that may call the model, and the guards around them: the loop
// guard on their queues' handlers, the model cost breaker on every model call, and the hold that
// pauses their workers while the breaker is open.
import { createModelProviderFromConfig, modelProviderConfig } from '@manga-assist/fm';
import type { ConfiguredModelProvider, ModelProvider } from '@manga-assist/fm';
import type { Guardrails } from '@manga-assist/guardrails';
import type { QueueName } from '@manga-assist/queue';
import type { Redis } from 'ioredis';
import type { Logger, Registry } from '@manga-assist/telemetry';
import type { PostProcessorConfig } from './config';
import { FM_QUEUES } from './fm-queues';
import type { Handlers } from './handlers';
import { withLoopGuards } from './loop-guard';
import { createModelCostBreaker } from './model-cost-breaker';
import type { ModelCostBreaker } from './model-cost-breaker';
import { createRedisReviewReplySink, createReviewModeration } from './review-moderation';
import type { ReviewModeration, ReviewReplySink } from './review-moderation';

export interface ModelConsumersDeps {
  config: PostProcessorConfig;
  registry: Registry;
  log: Pick<Logger, 'info' | 'warn'>;
  redis: Redis;
  guardrails: Guardrails;
  /** The configured model; built from the config when not given. */
  model?: ConfiguredModelProvider;
  /** Where suggested review replies go; the Redis list for operators when not given. */
  reviewReplySink?: ReviewReplySink;
}

export interface ModelConsumers {
  breaker: ModelCostBreaker;
  /** The model, each call counted by the cost breaker (refused while it is open). */
  model: ModelProvider;
  moderation: ReviewModeration;
  /** The handlers with the loop guard in front of every queue in FM_QUEUES. */
  guard(handlers: Handlers): Handlers;
  /** The worker pool's hold: FM_QUEUES wait while the cost breaker is open. */
  hold(queue: QueueName): string | null;
  close(): void;
}

export function createModelConsumers({ config, registry, log, redis, guardrails, model, reviewReplySink }: ModelConsumersDeps): ModelConsumers {
  const provider = model ?? createModelProviderFromConfig(modelProviderConfig(config));
  const breaker = createModelCostBreaker({
    limit: config.MODEL_COST_BREAKER_CALLS_PER_5M,
    windowMs: config.MODEL_COST_BREAKER_WINDOW_MS,
    registry,
    log,
  });
  const counted = breaker.guard(provider);
  const moderation = createReviewModeration({
    guardrails,
    model: counted,
    sink: reviewReplySink ?? createRedisReviewReplySink({ redis, keyPrefix: config.KEY_PREFIX }),
    registry,
    log,
  });
  return {
    breaker,
    model: counted,
    moderation,
    guard: (handlers) => withLoopGuards(handlers, FM_QUEUES, { registry, log }),
    hold: (queue) => (breaker.isOpen() && FM_QUEUES.includes(queue) ? 'model cost breaker open' : null),
    close() {
      breaker.close();
      provider.close();
    },
  };
}
