import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import { awsShape, checkSearchSettings, exportShape, guardrailShape, httpUrl, modelShape, nonNegativeInt, port, positiveInt, retrievalShape, searchShape, serviceShape } from '@manga-assist/config';
import { DEFAULT_PORTS } from '@manga-assist/contracts';
import { authShape, checkAuthSettings } from '@manga-assist/auth';
import { downstreamEnvShape } from '@manga-assist/resilience';
import { limitsShape } from './limits-config';

const standardWebhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/, 'must be a Standard Webhooks secret: whsec_ followed by base64 of at least 16 bytes');

export const gatewayConfigSchema = z.object({
  ...serviceShape,
  ...awsShape,
  ...modelShape,
  ...retrievalShape,
  ...searchShape,
  // <DOWNSTREAM>_TIMEOUT_MS, _BREAKER_*, _BULKHEAD, … for sonnet, haiku, vector search, DynamoDB, Redis.
  ...downstreamEnvShape,
  // AUTH_MODE (jwt | local | anonymous), the JWKS, issuer, audience, algorithms and user claim.
  ...authShape,
  /** An OTLP/HTTP collector (e.g. the ADOT collector forwarding to X-Ray); unset: spans are not exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl().optional(),
  GATEWAY_PORT: port(DEFAULT_PORTS['chat-gateway']),
  /** Tokens after the first are sent together at most this often (ms); 0 joins only same-tick tokens. */
  TOKEN_FLUSH_MS: nonNegativeInt(16),
  /** Answers are handed to the post-processor together, one job per this many ms (0: per event-loop turn). */
  ANSWER_BATCH_MS: nonNegativeInt(10),
  /** MiB of exact cache entries held in memory, kept correct by Redis invalidations; 0 = every lookup asks Redis. */
  CACHE_LOCAL_MAX_MB: nonNegativeInt(64),
  /** As the post-processor's: with `bedrock`, a fresh answer is cached only after the Bedrock guardrail passed it, so the gateway holds none early. */
  GUARDRAIL_PROVIDER: guardrailShape.GUARDRAIL_PROVIDER,
  /** Tokens of each answer the in-process guardrail tiers read (as the post-processor's). */
  GUARDRAIL_MAX_TOKENS: positiveInt(200),
  /** The built chat and ops pages (`npx nx build web`), served at / and /ops. */
  WEB_DIR: z.string().min(1).default('dist/apps/web'),
  SCHEDULER_URL: httpUrl(`http://127.0.0.1:${DEFAULT_PORTS['prefetch-scheduler']}`),
  POST_PROCESSOR_URL: httpUrl(`http://127.0.0.1:${DEFAULT_PORTS['post-processor']}`),
  HEALTH_CHECKER_URL: httpUrl(`http://127.0.0.1:${DEFAULT_PORTS['health-checker']}`),
  // Webhook secrets, one per source; a source without one is disabled (404). No defaults: secrets.
  /** Standard Webhooks secret of the publishers' catalog feed (`whsec_` + base64). */
  WEBHOOK_SECRET_CATALOG: standardWebhookSecret.optional(),
  /** Standard Webhooks secret of the review feed (`whsec_` + base64). */
  WEBHOOK_SECRET_REVIEWS: standardWebhookSecret.optional(),
  /** Stripe's endpoint signing secret (`whsec_…`). */
  WEBHOOK_SECRET_PAYMENTS: z.string().regex(/^whsec_\w{16,}$/, 'must be a Stripe endpoint secret (whsec_…)').optional(),
  /** Jobs waiting in one source's queue above which its deliveries are answered 429 with Retry-After. */
  WEBHOOK_MAX_BACKLOG: positiveInt(10_000),
  // Fair limits (LIMIT_*), the WebSocket Origin allowlist (ALLOWED_ORIGINS) and TRUST_PROXY_HOPS.
  ...limitsShape,
  // EXPORT_BUCKET, S3_ENDPOINT, EXPORT_URL_TTL_S: catalog exports written to S3, handed out pre-signed.
  ...exportShape,
  /** Seconds `Retry-After` asks a client to wait between polls of an analysis that has not ended. */
  ANALYZE_RETRY_AFTER_S: positiveInt(2),
  // Scale-out: the connection registry and the drain on SIGTERM (README, "Scale-out").
  /** This process in the connection registry; unique per process (pushes for its connections come on its channel). */
  INSTANCE_ID: z.string().regex(/^[\w.:-]{1,100}$/, 'must be 1-100 letters, digits, dots, colons, dashes or underscores').default(`${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`),
  /** An instance that has not beaten (every third of this) for this long is dead: the next heartbeat of another sweeps its connections. */
  CONNECTION_TTL_MS: positiveInt(15_000).pipe(z.number().min(1000, 'must be at least 1000 ms')),
  /** SIGTERM: /readyz answers 503 this long before the gateway stops accepting, so a load balancer moves new clients away first. */
  DRAIN_NOT_READY_MS: nonNegativeInt(2000),
  /** SIGTERM: answers in flight get at most this long to finish before their sockets are closed. */
  DRAIN_TIMEOUT_MS: nonNegativeInt(10_000).pipe(z.number().max(120_000, 'must be at most 120000 ms')),
  /** The reconnect frame sent before a drained socket closes tells the client to wait a random time up to this (spreads the reconnects). */
  RECONNECT_AFTER_MS: nonNegativeInt(1000),
}).superRefine((config, ctx) => {
  checkSearchSettings(config, ctx);
  checkAuthSettings(config, ctx);
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
