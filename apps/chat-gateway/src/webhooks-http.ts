import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import Stripe from 'stripe';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { CatalogItemSchema } from '@manga-assist/catalog';
import {
  CATALOG_ITEMS_PER_JOB,
  CatalogDeliverySchema,
  WEBHOOK_MAX_BODY_BYTES,
  WEBHOOK_SOURCES,
  WEBHOOK_TOLERANCE_SECONDS,
} from '@manga-assist/contracts';
import type { CatalogUpdateJob, WebhookAck, WebhookError, WebhookErrorCode, WebhookSource } from '@manga-assist/contracts';
import { QUEUE_SETTINGS, WEBHOOK_QUEUES, createJobSubmitter } from '@manga-assist/queue';
import type { JobSubmitter } from '@manga-assist/queue';
import type { AppServer } from '@manga-assist/server';
import { Counter, Histogram } from '@manga-assist/telemetry';
import type { Logger, Registry } from '@manga-assist/telemetry';
import type { GatewayConfig } from './config';
import type { FairLimits } from './fair-limits';

export interface WebhookIntakeDeps {
  config: Pick<GatewayConfig, 'WEBHOOK_SECRET_CATALOG' | 'WEBHOOK_SECRET_PAYMENTS' | 'WEBHOOK_SECRET_REVIEWS' | 'WEBHOOK_MAX_BACKLOG' | 'KEY_PREFIX' | 'QUEUE_PREFIX' | 'REDIS_URL'>;
  redis: Redis;
  registry: Registry;
  log: Pick<Logger, 'warn' | 'error'>;
  /** Default: one over the config's Redis, closed with the server. */
  submitter?: JobSubmitter;
  /** Deliveries per source per second, shared by every instance (none: only the backlog bound). */
  limits?: Pick<FairLimits, 'consume'>;
}

const STATUS: Record<WebhookErrorCode, number> = {
  unknown_source: 404,
  invalid_signature: 401,
  invalid_body: 400,
  body_too_large: 413,
  overloaded: 429,
  unavailable: 503,
  rate_limited: 429,
};

// A delivery id seen within this window is acknowledged and dropped (senders retry for up to a day
// or three; the queue's own job ids catch anything older that is still queued).
const SEEN_TTL_SECONDS = 24 * 3600;

class DeliveryError extends Error {
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

interface VerifiedDelivery {
  webhookId: string;
  body: unknown;
}

type Verifier = (raw: Buffer, headers: Record<string, string | string[] | undefined>) => VerifiedDelivery;

const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Standard Webhooks: HMAC over `id.timestamp.body`, timestamps within 5 minutes, constant-time compare (the package's). */
function standardWebhooksVerifier(secret: string): Verifier {
  const webhook = new Webhook(secret);
  return (raw, headers) => {
    const id = header(headers, 'webhook-id');
    const timestamp = header(headers, 'webhook-timestamp');
    const signature = header(headers, 'webhook-signature');
    if (!id || !timestamp || !signature) throw new DeliveryError('invalid_signature', 'webhook-id, webhook-timestamp and webhook-signature are required');
    try {
      webhook.verify(raw, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, { jsonParse: false });
    } catch (error) {
      if (error instanceof WebhookVerificationError) throw new DeliveryError('invalid_signature', error.message);
      throw error;
    }
    return { webhookId: id, body: parseJson(raw) };
  };
}

/** Stripe: `constructEvent` checks the signature (constant time) and the age; a timestamp from the future is refused here. */
function stripeVerifier(secret: string): Verifier {
  return (raw, headers) => {
    const signature = header(headers, 'stripe-signature');
    if (!signature) throw new DeliveryError('invalid_signature', 'Stripe-Signature is required');
    const timestamp = Number(/(?:^|,)t=(\d+)/.exec(signature)?.[1]);
    if (Number.isFinite(timestamp) && timestamp > Date.now() / 1000 + WEBHOOK_TOLERANCE_SECONDS) {
      throw new DeliveryError('invalid_signature', 'timestamp is in the future');
    }
    let event: { id: string; type: string };
    try {
      event = Stripe.webhooks.constructEvent(raw, signature, secret, WEBHOOK_TOLERANCE_SECONDS);
    } catch (error) {
      if (error instanceof SyntaxError) throw new DeliveryError('invalid_body', 'body is not JSON');
      throw new DeliveryError('invalid_signature', (error as Error).message);
    }
    return { webhookId: event.id, body: event };
  };
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new DeliveryError('invalid_body', 'body is not JSON');
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The jobs a verified delivery becomes; the receiver checks them but does none of their work. */
function jobsFor(source: WebhookSource, { webhookId, body }: VerifiedDelivery, receivedAt: string) {
  if (source === 'catalog') {
    const delivery = CatalogDeliverySchema.safeParse(body);
    if (!delivery.success) throw new DeliveryError('invalid_body', 'expected {"items": [catalog items…]}');
    delivery.data.items.forEach((item, i) => {
      const parsed = CatalogItemSchema.safeParse(item);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DeliveryError('invalid_body', `items[${i}].${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'not a catalog item'}`);
      }
    });
    const jobs: CatalogUpdateJob[] = [];
    for (let at = 0, part = 0; at < delivery.data.items.length; at += CATALOG_ITEMS_PER_JOB, part++) {
      jobs.push({ eventId: `${webhookId}.${part}`, webhookId, receivedAt, part, items: delivery.data.items.slice(at, at + CATALOG_ITEMS_PER_JOB) });
    }
    return jobs;
  }
  if (!isObject(body)) throw new DeliveryError('invalid_body', 'expected a JSON object');
  if (source === 'payments') return [{ eventId: webhookId, webhookId, receivedAt, type: String(body['type']), event: body }];
  return [{ eventId: webhookId, webhookId, receivedAt, payload: body }];
}

/**
 * POST /v1/webhooks/{catalog|payments|reviews}: verify the signature on the raw bytes, drop a
 * delivery already seen, queue its jobs on the source's own queue and answer 200; the work happens
 * in the post-processor. Refuses with a typed JSON error: 404 unknown or disabled source, 401 bad
 * or stale signature, 400 bad body, 413 over 1 MB, 429 + Retry-After over the source's deliveries per second or while its queue is
 * over its backlog bound, 503 while Redis cannot take the jobs.
 */
export function registerWebhooksHttp(server: AppServer, deps: WebhookIntakeDeps): void {
  const { config, redis, registry, log } = deps;
  const keyPrefix = config.KEY_PREFIX;
  const maxBacklog = config.WEBHOOK_MAX_BACKLOG;
  const secrets: Record<WebhookSource, string | undefined> = {
    catalog: config.WEBHOOK_SECRET_CATALOG,
    payments: config.WEBHOOK_SECRET_PAYMENTS,
    reviews: config.WEBHOOK_SECRET_REVIEWS,
  };
  const verifiers = new Map<WebhookSource, Verifier>();
  for (const source of WEBHOOK_SOURCES) {
    const secret = secrets[source];
    if (secret) verifiers.set(source, source === 'payments' ? stripeVerifier(secret) : standardWebhooksVerifier(secret));
  }
  const deliveries = new Counter({
    name: 'manga_assist_webhook_deliveries_total',
    help: 'Webhook deliveries answered, by source and outcome (queued, duplicate, or the error code).',
    labelNames: ['source', 'outcome'],
    registers: [registry],
  });
  const ackSeconds = new Histogram({
    name: 'manga_assist_webhook_ack_seconds',
    help: 'Time from a webhook delivery arriving to its answer.',
    labelNames: ['source'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const sourceLabel = (source: string) => ((WEBHOOK_SOURCES as readonly string[]).includes(source) ? source : 'unknown');

  const refuse = (reply: FastifyReply, source: string, error: DeliveryError) => {
    deliveries.inc({ source: sourceLabel(source), outcome: error.code });
    if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
    const retryAfterMs = error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };
    return reply.code(STATUS[error.code]).send({ error: { code: error.code, message: error.message, ...retryAfterMs } } satisfies WebhookError);
  };

  if (verifiers.size === 0) return; // every source disabled: no route, every delivery 404
  const submitter = deps.submitter ?? createJobSubmitter({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  if (!deps.submitter) server.addHook('onClose', () => submitter.close());

  void server.register(async (scope) => {
    // Signatures are over the exact bytes sent: every body on these routes stays a Buffer.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    scope.post<{ Params: { source: string } }>(
      '/v1/webhooks/:source',
      {
        bodyLimit: WEBHOOK_MAX_BODY_BYTES,
        errorHandler: (error, request, reply) => {
          const source = (request.params as { source?: string }).source ?? 'unknown';
          if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return refuse(reply, source, new DeliveryError('body_too_large', `body over ${WEBHOOK_MAX_BODY_BYTES} bytes`));
          log.error({ err: error.message, source }, 'webhook delivery failed');
          return refuse(reply, source, new DeliveryError('unavailable', 'the delivery could not be stored; send it again', 5));
        },
      },
      async (request, reply) => {
        const started = performance.now();
        const { source } = request.params;
        try {
          const verify = verifiers.get(source as WebhookSource);
          if (!verify) throw new DeliveryError('unknown_source', `no webhook source ${JSON.stringify(source)}`);
          const known = source as WebhookSource;
          const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          const delivery = verify(raw, request.headers);
          // Signed deliveries only count against the source's rate: unsigned junk cannot use it up.
          const allowed = await deps.limits?.consume('webhook_deliveries', known);
          if (allowed && !allowed.allowed) {
            throw new DeliveryError('rate_limited', `more ${known} deliveries per second than taken; send again later`, Math.max(1, Math.ceil(allowed.retryAfterMs / 1000)), allowed.retryAfterMs);
          }
          const jobs = jobsFor(known, delivery, new Date().toISOString());
          const queue = WEBHOOK_QUEUES[known];

          const seenKey = `${keyPrefix}webhooks:seen:${known}:${delivery.webhookId}`;
          const duplicate = () => {
            deliveries.inc({ source: known, outcome: 'duplicate' });
            return reply.send({ received: true, duplicate: true, jobs: 0 } satisfies WebhookAck);
          };
          const backlog = await submitter.backlog(queue);
          if (backlog + jobs.length > maxBacklog) {
            // A delivery already taken is acknowledged even now: refusing it would only bring it back.
            if ((await redis.exists(seenKey)) === 1) return duplicate();
            // About how long the queue takes to drain to the bound at its rate limit.
            const rate = QUEUE_SETTINGS[queue].rateLimit?.max ?? 100;
            const retryAfter = Math.min(300, Math.max(1, Math.ceil((backlog + jobs.length - maxBacklog) / rate)));
            throw new DeliveryError('overloaded', `${backlog} ${known} jobs are waiting; send again later`, retryAfter);
          }
          if (!(await redis.set(seenKey, '1', 'EX', SEEN_TTL_SECONDS, 'NX'))) return duplicate();
          try {
            await submitter.submit(queue, jobs as never[]);
          } catch (error) {
            // Not stored: forget the id so the sender's retry is taken.
            await redis.del(seenKey).catch(() => undefined);
            throw error;
          }
          deliveries.inc({ source: known, outcome: 'queued' });
          return reply.send({ received: true, duplicate: false, jobs: jobs.length } satisfies WebhookAck);
        } catch (error) {
          if (error instanceof DeliveryError) return refuse(reply, source, error);
          throw error;
        } finally {
          ackSeconds.observe({ source: sourceLabel(source) }, (performance.now() - started) / 1000);
        }
      },
    );
  });
}
