import type { AnyTRPCRouter } from '@trpc/server';
import type { AppName, ServiceStatus } from '@manga-assist/contracts';
import { serveRpc } from '@manga-assist/rpc';
import type { ServiceDeps } from '@manga-assist/rpc';
import type { Logger, Registry } from '@manga-assist/telemetry';
import { createReadiness } from './readiness';
import type { Readiness, ReadinessCheck } from './readiness';
import { createServiceServer } from './service-server';
import { createWarmUp } from './warm-up';
import type { WarmUpStep } from './warm-up';
import type { AppServer } from './service-server';
import { installShutdown } from './shutdown';
import type { ShutdownStep } from './shutdown';

export interface StartServiceOptions<TRouter extends AnyTRPCRouter> {
  app: AppName;
  version: string;
  host: string;
  port: number;
  logger: Logger;
  registry: Registry;
  checks: ReadinessCheck[];
  controlToken: string;
  /** A bearer token other than the control token that may make control calls (an operator's: the gateway's admin claim). */
  isOperator?(token: string): Promise<boolean>;
  /** Builds the app's tRPC router from the procedures every app shares. */
  router(deps: ServiceDeps): TRouter;
  /** Adds the app's own HTTP routes; `status` is the app's own status, as /readyz reports it. */
  routes?(server: AppServer, status: () => ServiceStatus): void | Promise<void>;
  /**
   * Connections and caches to open before taking traffic, all at once: /readyz stays 503 until
   * every step has succeeded (failed steps are retried).
   */
  warmUp?: WarmUpStep[];
  /** Closes what the app opened, in order, after the server stops accepting. */
  shutdown: ShutdownStep[];
  /** Install SIGTERM/SIGINT handlers (off in tests that run several apps in one process). */
  handleSignals?: boolean;
  /**
   * A drain before the server stops: /readyz turns 503 ("draining") for `notReadyMs` while
   * everything is still served, so a load balancer moves new traffic away; then new requests are
   * refused (503, typed error; health, readiness, metrics and tRPC still answer) and `steps` run
   * (in-flight work finishing, bounded by `timeoutMs`), before the HTTP server closes.
   */
  drain?: { notReadyMs: number; timeoutMs: number; steps: ShutdownStep[] };
}

export interface RunningService {
  server: AppServer;
  status(): ServiceStatus;
  readiness: Readiness;
  url: string;
  stop(): Promise<void>;
}

/**
 * Wires the shared parts of an app in one order: readiness checks, the HTTP shell, the tRPC router,
 * the app's routes, listen, background readiness, and shutdown on signals.
 */
export async function startService<TRouter extends AnyTRPCRouter>(
  options: StartServiceOptions<TRouter>,
): Promise<RunningService> {
  const { app, version, logger, registry, checks } = options;
  const warmUp = createWarmUp({ steps: options.warmUp ?? [], logger, registry });
  const readiness = createReadiness({ checks: [...checks, warmUp.check], logger });
  const { server, status } = createServiceServer({ app, version, logger, registry, readiness });
  const appRouter = options.router({
    status,
    setLogLevel: (level) => {
      logger.level = level;
      logger.warn({ level }, 'log level changed');
    },
  });
  let refusing = false;
  server.addHook('onRequest', async (request, reply) => {
    if (!refusing || /^\/(healthz|readyz|metrics|trpc)(\/|\?|$)/.test(request.url)) return;
    return reply
      .code(503)
      .header('retry-after', '1')
      .header('connection', 'close')
      .send({ type: 'error', code: 'unavailable', message: 'this instance is shutting down: send the request again (the load balancer picks another)' });
  });
  // A response finished while draining closes its connection: a keep-alive connection left idle
  // after the server began to close would hold the close open until its keep-alive timeout.
  server.addHook('onSend', async (_request, reply) => {
    if (refusing) reply.header('connection', 'close');
  });
  await serveRpc(server, appRouter, options.controlToken, options.isOperator);
  await options.routes?.(server, status);

  const startedAt = performance.now();
  const address = await server.listen({ host: options.host, port: options.port });
  warmUp.start();
  readiness.start();
  // Ready the moment the warm-up ends, not at the next background check.
  void warmUp.done.then(() => readiness.refresh());
  const firstCheck = readiness.refresh().then(() => {
    if (readiness.isReady()) logger.info({ ms: Math.round(performance.now() - startedAt) }, `${app} ready`);
  });
  void firstCheck;
  logger.info({ url: address, version }, `${app} listening`);

  const drain = options.drain;
  const steps: ShutdownStep[] = [
    ...(drain
      ? [
          {
            name: 'not-ready',
            run: async () => {
              readiness.markDraining();
              logger.info({ ms: drain.notReadyMs }, 'draining: not ready, still serving');
              await new Promise((resolve) => setTimeout(resolve, drain.notReadyMs));
              refusing = true;
            },
          },
          ...drain.steps,
        ]
      : []),
    { name: 'http', run: () => closeServer(server) },
    { name: 'readiness', run: () => readiness.stop() },
    { name: 'warm-up', run: () => warmUp.stop() },
    ...options.shutdown,
  ];
  // A drain step may take its whole bound; the others keep the default.
  if (options.handleSignals !== false) installShutdown(logger, steps, drain ? { stepTimeoutMs: Math.max(10_000, drain.notReadyMs + 2000, drain.timeoutMs + 5000) } : {});

  return {
    server,
    status,
    readiness,
    url: address,
    async stop() {
      for (const step of steps) await step.run();
    },
  };
}

/**
 * Stops accepting and waits for the requests in flight. Connections that turn idle while it waits
 * (a streamed response that ended) are closed as they do, not left to their keep-alive timeout.
 */
async function closeServer(server: AppServer): Promise<void> {
  const sweep = setInterval(() => server.server.closeIdleConnections(), 100);
  try {
    await server.close();
  } finally {
    clearInterval(sweep);
  }
}
