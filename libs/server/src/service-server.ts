import Fastify, { LogController } from 'fastify';
import type {
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { AppName, ServiceStatus } from '@manga-assist/contracts';
import { Gauge } from '@manga-assist/telemetry';
import type { Logger, Registry } from '@manga-assist/telemetry';
import type { Readiness } from './readiness';

export interface ServiceServerOptions {
  app: AppName;
  version: string;
  logger: Logger;
  registry: Registry;
  readiness: Readiness;
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
}

/** A Fastify instance logging through the app's pino logger. */
export type AppServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger
>;

export interface ServiceServer {
  server: AppServer;
  status(): ServiceStatus;
}

/**
 * The HTTP shell every app shares: GET /healthz (the process is alive), GET /readyz (200 only when
 * every dependency check passes, 503 naming the first failing one; a failing degradable dependency
 * keeps it 200 and is listed under `degraded`), GET /metrics (Prometheus text).
 * Apps add their own routes to `server`.
 */
export function createServiceServer(options: ServiceServerOptions): ServiceServer {
  const { app, version, logger, registry, readiness, bodyLimit = 64 * 1024 } = options;
  // Per-request lines would drown the logs at chat rates; metrics count requests instead.
  const server = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
  });
  const startedAt = Date.now();

  new Gauge({
    name: 'manga_assist_ready',
    help: 'Whether the app is ready to serve (1) or not (0).',
    registers: [registry],
    collect() {
      this.set(readiness.isReady() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'manga_assist_dependency_up',
    help: 'Whether a dependency passed its latest readiness check (1) or not (0).',
    labelNames: ['dependency'],
    registers: [registry],
    collect() {
      for (const check of readiness.results()) this.set({ dependency: check.name }, check.ok ? 1 : 0);
    },
  });

  const status = (): ServiceStatus => ({
    app,
    version,
    ready: readiness.isReady(),
    reason: readiness.reason(),
    degraded: readiness.degraded(),
    uptimeSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
    pid: process.pid,
    checks: readiness.results(),
  });

  server.get('/healthz', async () => ({ status: 'alive', app }));
  server.get('/readyz', async (_request, reply) => {
    const current = status();
    return reply.code(current.ready ? 200 : 503).send(current);
  });
  server.get('/metrics', async (_request, reply) => {
    const body = await registry.metrics();
    return reply.type(registry.contentType).send(body);
  });

  return { server, status };
}
