import path from 'node:path';
import type { DownstreamStateReport, OpsStatus, ProfileReport } from '@manga-assist/contracts';
import { DEPTH_STATES, createQueueSet } from '@manga-assist/queue';
import { createServiceClient } from '@manga-assist/rpc';
import type { HealthCheckerRouter, PostProcessorRouter, SchedulerRouter } from '@manga-assist/rpc';
import type { AppServer } from '@manga-assist/server';
import type { Registry } from '@manga-assist/telemetry';
import type { GatewayConfig } from './config';
import { registerOpsStream } from './ops-stream';
import { registerWebPages } from './web-pages';

export interface BrowserPagesDeps {
  config: Pick<GatewayConfig, 'WEB_DIR' | 'CONTROL_TOKEN' | 'REDIS_URL' | 'QUEUE_PREFIX' | 'POST_PROCESSOR_URL' | 'SCHEDULER_URL' | 'HEALTH_CHECKER_URL'>;
  registry: Registry;
  log: { warn(obj: object, msg: string): void };
  status(): Promise<OpsStatus>;
  profile(): ProfileReport;
  downstreams(): DownstreamStateReport[];
  /** A bearer token besides the control token that opens the ops feed (the admin claim). */
  isOperator?(token: string): Promise<boolean>;
}

/** The chat page and the ops page (GET /, GET /ops) and the ops page's live feed (GET /v1/ops/stream). */
export function registerBrowserPages(server: AppServer, deps: BrowserPagesDeps): void {
  const { config } = deps;
  // A peer that hangs costs the snapshot at most this long; the rest is still shown.
  const peerClient = { timeoutMs: 1500 };
  const scheduler = createServiceClient<SchedulerRouter>({ baseUrl: config.SCHEDULER_URL, ...peerClient });
  const postProcessor = createServiceClient<PostProcessorRouter>({ baseUrl: config.POST_PROCESSOR_URL, ...peerClient });
  const healthChecker = createServiceClient<HealthCheckerRouter>({ baseUrl: config.HEALTH_CHECKER_URL, ...peerClient });
  registerWebPages(server, { dir: path.resolve(config.WEB_DIR), log: deps.log });
  // Queue depths are read from Redis directly (as the post-processor's /metrics does), over one
  // connection opened for the first viewer of the ops page.
  let queues: ReturnType<typeof createQueueSet> | undefined;
  server.addHook('onClose', async () => queues?.close());
  registerOpsStream(server, {
    controlToken: config.CONTROL_TOKEN,
    isOperator: deps.isOperator,
    log: deps.log,
    sources: {
      registry: deps.registry,
      status: deps.status,
      profile: deps.profile,
      downstreams: deps.downstreams,
      async queueCounts() {
        queues ??= createQueueSet({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
        const all = await Promise.all(queues.all().map(async (q) => [q.name, await q.getJobCounts(...DEPTH_STATES)] as const));
        return Object.fromEntries(all);
      },
      deadLetters: () => postProcessor.deadLetters.counts.query(),
      tasks: async () => (await scheduler.status.query()).tasks,
      healthReport: () => healthChecker.report.query(),
      healthHistory: (endpoint) => healthChecker.history.query({ endpoint, limit: 5 }),
      queueBoardUrl: new URL('/queues', config.POST_PROCESSOR_URL).toString(),
    },
  });
}
