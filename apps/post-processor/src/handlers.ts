import type { JobHandler, QueueName } from '@manga-assist/queue';
import { createAnalysisJob } from './analysis.job';
import type { AnalysisJobDeps } from './analysis.job';
import { createAnalyticsJob } from './analytics.job';
import type { AnalyticsJobDeps } from './analytics.job';
import { createAnsweredBatchJob } from './answered.job';
import type { AnsweredJobDeps } from './answered.job';
import { createAuditJob } from './audit.job';
import type { AuditJobDeps } from './audit.job';
import { createCacheWriteJob } from './cache-write.job';
import { createCatalogUpdateJob } from './catalog-update.job';
import type { CatalogUpdateJobDeps } from './catalog-update.job';
import { createPaymentEventJob } from './payment-event.job';
import type { PaymentEventJobDeps } from './payment-event.job';
import { createReviewEventJob } from './review-event.job';
import type { ReviewEventJobDeps } from './review-event.job';
import type { CacheWriteJobDeps } from './cache-write.job';
import { createGuardrailCheckJob } from './guardrail-check.job';
import type { GuardrailCheckJobDeps } from './guardrail-check.job';
import { createSessionUpdateJob } from './session-update.job';
import type { SessionUpdateJobDeps } from './session-update.job';

export type Handlers = { [N in QueueName]: JobHandler<N> };

export interface HandlerDeps {
  'cache-write': CacheWriteJobDeps;
  'session-update': SessionUpdateJobDeps;
  'guardrail-check': GuardrailCheckJobDeps;
  analytics: AnalyticsJobDeps;
  audit: AuditJobDeps;
  'answered-batch': AnsweredJobDeps;
  'webhook-catalog': CatalogUpdateJobDeps;
  'webhook-payments': PaymentEventJobDeps;
  'webhook-reviews': ReviewEventJobDeps;
  analysis: AnalysisJobDeps;
}

/** What each queue's jobs do. Building them does no I/O; only the drained queues get a worker. */
export function createHandlers(deps: HandlerDeps): Handlers {
  return {
    'cache-write': createCacheWriteJob(deps['cache-write']),
    'session-update': createSessionUpdateJob(deps['session-update']),
    'guardrail-check': createGuardrailCheckJob(deps['guardrail-check']),
    analytics: createAnalyticsJob(deps.analytics),
    audit: createAuditJob(deps.audit),
    'answered-batch': createAnsweredBatchJob(deps['answered-batch']),
    'webhook-catalog': createCatalogUpdateJob(deps['webhook-catalog']),
    'webhook-payments': createPaymentEventJob(deps['webhook-payments']),
    'webhook-reviews': createReviewEventJob(deps['webhook-reviews']),
    analysis: createAnalysisJob(deps.analysis),
  };
}
