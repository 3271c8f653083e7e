import { z } from 'zod';
import { port, positiveInt, redisUrl } from '@manga-assist/config';
import { DEFAULT_PORTS } from '@manga-assist/contracts';

/** Settings of `npm start`; every app variable not listed here is passed through to the apps. */
export const devConfigSchema = z.object({
  DATA_DIR: z.string().min(1).default('.data'),
  REDIS_URL: redisUrl().optional(),
  DYNAMODB_PORT: port(8000),
  KINESIS_PORT: port(4568),
  /** The S3 stand-in (s3rver) catalog exports are written to. */
  S3_PORT: port(4569),
  HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_PORT: port(DEFAULT_PORTS['chat-gateway']),
  SCHEDULER_PORT: port(DEFAULT_PORTS['prefetch-scheduler']),
  POST_PROCESSOR_PORT: port(DEFAULT_PORTS['post-processor']),
  HEALTH_CHECKER_PORT: port(DEFAULT_PORTS['health-checker']),
  TABLE_PREFIX: z.string().default('manga-assist-'),
  CONTROL_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The gateway's AUTH_MODE; with `local` the issuer's key is made under DATA_DIR/auth on first run. */
  AUTH_MODE: z.enum(['jwt', 'local', 'anonymous']).default('local'),
  /** Webhook secrets; unset ones are generated once into <DATA_DIR>/webhook-secrets.env. */
  WEBHOOK_SECRET_CATALOG: z.string().startsWith('whsec_', 'must start with whsec_').optional(),
  WEBHOOK_SECRET_REVIEWS: z.string().startsWith('whsec_', 'must start with whsec_').optional(),
  WEBHOOK_SECRET_PAYMENTS: z.string().startsWith('whsec_', 'must start with whsec_').optional(),
  START_TIMEOUT_MS: positiveInt(60_000),
  /** Skip `nx build` (the dist/ bundles are already current). */
  SKIP_BUILD: z.enum(['true', 'false']).default('false'),
  /** json: the apps' raw log lines; pretty: one readable line each. */
  LOG_FORMAT: z.enum(['pretty', 'json']).default('pretty'),
});
export type DevConfig = z.infer<typeof devConfigSchema>;
