import type { FastifyReply, FastifyRequest } from 'fastify';
import type {
  AnswerCounts,
  DeadLetterCounts,
  DownstreamStateReport,
  EndpointHistory,
  HealthReport,
  OpsSnapshot,
  OpsStatus,
  ProfileReport,
  QueueReport,
  SchedulerTaskStatus,
} from '@manga-assist/contracts';
import { tokenMatches } from '@manga-assist/rpc';
import type { AppServer } from '@manga-assist/server';
import type { Registry } from '@manga-assist/telemetry';

/** Where the ops feed reads what it shows; each source may fail on its own without stopping the rest. */
export interface OpsFeedSources {
  registry: Registry;
  status(): Promise<OpsStatus>;
  profile(): ProfileReport;
  downstreams(): DownstreamStateReport[];
  /** Job counts per queue (BullMQ, read from Redis). */
  queueCounts(): Promise<Record<string, Record<string, number>>>;
  deadLetters(): Promise<DeadLetterCounts>;
  tasks(): Promise<SchedulerTaskStatus[]>;
  healthReport(): Promise<HealthReport | null>;
  healthHistory(endpoint: string): Promise<EndpointHistory>;
  queueBoardUrl: string;
}

type MetricValues = { labels: Record<string, string | number>; value: number; metricName?: string }[];

async function metricValues(registry: Registry, name: string): Promise<MetricValues> {
  const metric = registry.getSingleMetric(name);
  return metric ? ((await metric.get()).values as MetricValues) : [];
}

const sum = (values: MetricValues, match: (labels: Record<string, string | number>) => boolean) =>
  values.filter((v) => match(v.labels)).reduce((total, v) => total + v.value, 0);

/** Answers by source, from the pipeline's counters. */
export async function countAnswers(registry: Registry): Promise<AnswerCounts> {
  const [requests, hits] = await Promise.all([
    metricValues(registry, 'manga_assist_chat_requests_total'),
    metricValues(registry, 'manga_assist_cache_hits_total'),
  ]);
  const answered = (model: string) => sum(requests, (l) => l['model'] === model && l['outcome'] === 'answered');
  return {
    exact: sum(hits, (l) => l['kind'] === 'exact'),
    semantic: sum(hits, (l) => l['kind'] === 'semantic'),
    precomputed: sum(hits, (l) => l['kind'] === 'precomputed'),
    haiku: answered('haiku'),
    sonnet: answered('sonnet'),
    errors: sum(requests, (l) => l['outcome'] !== 'answered'),
  };
}

async function readPools(registry: Registry): Promise<OpsSnapshot['pools']> {
  const [inUse, idle, queued, wait] = await Promise.all(
    ['manga_assist_pool_sockets_in_use', 'manga_assist_pool_sockets_idle', 'manga_assist_pool_queued_requests', 'manga_assist_pool_checkout_wait_seconds'].map((n) =>
      metricValues(registry, n),
    ),
  );
  const of = (values: MetricValues, pool: string, metricName?: string) =>
    values.find((v) => v.labels['pool'] === pool && (metricName === undefined || v.metricName === metricName))?.value ?? 0;
  return inUse!.map(({ labels }) => {
    const pool = String(labels['pool']);
    const waits = of(wait!, pool, 'manga_assist_pool_checkout_wait_seconds_count');
    return {
      pool,
      inUse: of(inUse!, pool),
      idle: of(idle!, pool),
      queued: of(queued!, pool),
      checkoutWaitMs: waits > 0 ? (of(wait!, pool, 'manga_assist_pool_checkout_wait_seconds_sum') / waits) * 1000 : null,
    };
  });
}

/** Gathers one snapshot; a part that fails is null and named in `errors`, the rest still shown. */
export async function collectOpsSnapshot(sources: OpsFeedSources): Promise<OpsSnapshot> {
  const errors: string[] = [];
  const attempt = async <T>(what: string, read: () => Promise<T>): Promise<T | null> => {
    try {
      return await read();
    } catch (error) {
      errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  };
  const transitions = await metricValues(sources.registry, 'manga_assist_downstream_breaker_transitions_total');
  const [status, answers, pools, queueCounts, deadLetters, tasks, report] = await Promise.all([
    sources.status(),
    countAnswers(sources.registry),
    readPools(sources.registry),
    attempt('queues', sources.queueCounts),
    attempt('dead letters', sources.deadLetters),
    attempt('scheduler tasks', sources.tasks),
    attempt('health-checker', sources.healthReport),
  ]);
  const queues: QueueReport[] | null = queueCounts
    ? Object.entries(queueCounts).map(([queue, c]) => ({
        queue,
        waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0),
        active: c['active'] ?? 0,
        delayed: c['delayed'] ?? 0,
        failed: c['failed'] ?? 0,
        completed: c['completed'] ?? 0,
        deadLetters: deadLetters?.byQueue[queue] ?? 0,
      }))
    : null;
  const probes = report
    ? await Promise.all(
        report.endpoints.map(async (endpoint) => ({
          ...endpoint,
          transitions: (await attempt(`history of ${endpoint.endpoint}`, () => sources.healthHistory(endpoint.endpoint)))?.transitions ?? [],
        })),
      )
    : null;
  return {
    at: new Date().toISOString(),
    ready: status.ready,
    apps: status.apps,
    profile: sources.profile(),
    answers,
    downstreams: sources.downstreams().map((d) => ({ ...d, transitions: sum(transitions, (l) => l['downstream'] === d.downstream) })),
    pools,
    queues,
    queueBoardUrl: sources.queueBoardUrl,
    tasks,
    probes,
    errors,
  };
}

export interface OpsStreamOptions {
  sources: OpsFeedSources;
  controlToken: string;
  /** Another bearer token that opens the feed (an operator's: the admin claim), if any. */
  isOperator?(token: string): Promise<boolean>;
  /** A snapshot this often (ms). */
  intervalMs?: number;
  log: { warn(obj: object, msg: string): void };
}

/** The bearer token of a request, compared in constant time with the control token. */
export function hasControlToken(request: FastifyRequest, controlToken: string): boolean {
  const header = request.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') && tokenMatches(header.slice('Bearer '.length), controlToken);
}

/**
 * GET /v1/ops/stream: Server-Sent Events, one `snapshot` event at once and then every interval,
 * for holders of the control token (`Authorization: Bearer …`; never open: the feed names every
 * internal endpoint and its state). The page reads it with fetch(), which can send the header.
 */
export function registerOpsStream(server: AppServer, { sources, controlToken, isOperator, intervalMs = 1000, log }: OpsStreamOptions): void {
  const open = new Set<FastifyReply>();
  server.addHook('preClose', async () => {
    for (const reply of open) reply.raw.end();
  });
  server.get('/v1/ops/stream', async (request, reply) => {
    const header = request.headers.authorization;
    const operator = isOperator !== undefined && typeof header === 'string' && header.startsWith('Bearer ') && (await isOperator(header.slice('Bearer '.length)));
    if (!operator && !hasControlToken(request, controlToken)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="ops"')
        .send({ error: 'unauthorized', message: 'the ops feed needs the control token or an admin token: Authorization: Bearer <token>' });
    }
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    open.add(reply);
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    const tick = async () => {
      try {
        const snapshot = await collectOpsSnapshot(sources);
        if (!closed) out.write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
      } catch (error) {
        log.warn({ err: error instanceof Error ? error.message : String(error) }, 'ops snapshot failed');
        if (!closed) out.write(`event: problem\ndata: ${JSON.stringify({ message: 'the snapshot could not be gathered' })}\n\n`);
      }
      // The next snapshot is scheduled after this one is written: a slow peer never stacks them up.
      if (!closed) timer = setTimeout(tick, intervalMs);
    };
    out.on('close', () => {
      closed = true;
      clearTimeout(timer);
      open.delete(reply);
    });
    void tick();
  });
}
