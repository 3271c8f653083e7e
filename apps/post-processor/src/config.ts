import { z } from 'zod';
import { awsShape, checkGuardrailSettings, guardrailShape, httpUrl, modelShape, port, positiveInt, retrievalShape, serviceShape } from '@manga-assist/config';
import { DEFAULT_PORTS } from '@manga-assist/contracts';
import { QUEUES, QUEUE_NAMES } from '@manga-assist/queue';
import { authShape } from '@manga-assist/auth';
import type { QueueName } from '@manga-assist/queue';

export const postProcessorConfigSchema = z.object({
  ...serviceShape,
  ...awsShape,
  ...retrievalShape,
  POST_PROCESSOR_PORT: port(DEFAULT_PORTS['post-processor']),
  /**
   * Which queues this process drains ("all" or a comma-separated list), so one build deploys in
   * several shapes. `answered-batch` is always drained: the gateway hands its answers over as
   * answered-batch jobs that fan out into every other queue, so a process that drains any of them
   * drains that one too, and no shape can leave the gateway's jobs without a consumer.
   */
  QUEUES: z
    .string()
    .default('all')
    .transform((value, ctx): QueueName[] => {
      if (value === 'all') return [...QUEUE_NAMES];
      const names = value.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !(QUEUE_NAMES as readonly string[]).includes(n));
      if (unknown.length > 0 || names.length === 0) {
        ctx.addIssue({ code: 'custom', message: `must be "all" or a list of ${QUEUE_NAMES.join(', ')} (unknown: ${unknown.join(', ') || 'none given'})` });
        return z.NEVER;
      }
      return [...new Set([...names, QUEUES.answeredBatch])] as QueueName[];
    }),
  /**
   * How long a job's lock lasts without renewal. A worker killed mid-job gives its jobs back about
   * this long after it died (plus up to one stalled-check interval); shorter means faster recovery
   * but a busy event loop that misses a renewal makes a job run twice (harmless: effects are
   * idempotent, but wasted work).
   */
  WORKER_LOCK_MS: positiveInt(30_000),
  /** How often each worker looks for jobs whose worker died. */
  WORKER_STALLED_INTERVAL_MS: positiveInt(30_000),
  /** Tokens of each answer the guardrail check evaluates. */
  GUARDRAIL_MAX_TOKENS: positiveInt(200),
  ...guardrailShape,
  /** `jsonl`: files under AUDIT_DIR; `cloudwatch`: events in CloudWatch Logs (AUDIT_LOG_GROUP). */
  AUDIT_SINK: z.enum(['jsonl', 'cloudwatch'], { error: 'must be jsonl or cloudwatch' }).default('jsonl'),
  /** The audit log group (default `<TABLE_PREFIX>audit`); it must exist. */
  AUDIT_LOG_GROUP: z.string().regex(/^[\w\-/.#]{1,512}$/, 'must be a CloudWatch log group name').optional(),
  /** How long the first audit event of a PutLogEvents batch waits for others. */
  AUDIT_LINGER_MS: positiveInt(20),
  /** A CloudWatch Logs stand-in or private endpoint; AWS's own when unset. */
  LOGS_ENDPOINT: httpUrl().optional(),
  /** Where the local audit sink writes its JSON-lines files. */
  AUDIT_DIR: z.string().min(1).default('.data/audit'),
  /** An audit file that would grow past this starts the next one. */
  AUDIT_MAX_FILE_BYTES: positiveInt(64 * 1024 * 1024),
  /** How long the first analytics record of a PutRecords batch waits for others. */
  ANALYTICS_LINGER_MS: positiveInt(20),
  // As the gateway's AUTH_*: an admin's token (AUTH_ADMIN_GROUP in AUTH_ADMIN_CLAIMS) opens the queue controls too.
  ...authShape,
  /**
   * The model of the `analysis` queue and of suggested replies to flagged reviews (the gateway's
   * variables, same defaults: MODEL_PROVIDER, BEDROCK_SONNET_MODEL_ID, LOCAL_MODEL_ANALYSIS_MS, …).
   * Its BEDROCK_ENDPOINT (a Bedrock runtime stand-in or private endpoint; AWS's own when unset) is
   * also the Bedrock guardrail's.
   */
  ...modelShape,
  /** An analysis attempt running longer than this is stopped and counts as failed. */
  ANALYSIS_TIMEOUT_MS: positiveInt(10 * 60_000),
  /** The model's output budget for one analysis, in tokens. */
  ANALYSIS_MAX_TOKENS: positiveInt(4096),
  /** How often a running analysis writes its progress to the operation record (and notices a cancel). */
  ANALYSIS_PROGRESS_MS: positiveInt(1000),
  /**
   * Model calls this process makes per window (5 minutes) before the model cost breaker opens and
   * pauses the queues whose jobs call the model (fm-queues.ts) until the window has room again.
   */
  MODEL_COST_BREAKER_CALLS_PER_5M: positiveInt(300),
  /** The cost breaker's window; 5 minutes (tests shorten it). */
  MODEL_COST_BREAKER_WINDOW_MS: positiveInt(5 * 60_000),
}).superRefine((config, ctx) => {
  checkGuardrailSettings(config, ctx);
  if (config.AUTH_MODE === 'jwt') {
    for (const name of ['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE'] as const) {
      if (config[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'is required with AUTH_MODE=jwt' });
    }
  }
});
export type PostProcessorConfig = z.infer<typeof postProcessorConfigSchema>;
