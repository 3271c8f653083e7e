import type { EndpointHistory, EndpointResult, HealthReport, HistoryQuery } from '@manga-assist/contracts';
import type { Registry } from '@manga-assist/telemetry';
import type { HostResolver } from './dns-phase';
import type { EndpointSpec } from './endpoint-spec';
import { worstStatus } from './evaluate-probe';
import { probeEndpoint } from './probe-endpoint';
import type { DnsCacheView } from './probe-endpoint';
import { createProbeHistory } from './probe-history';
import { createProbeMetrics } from './probe-metrics';

/** The part of a pino logger the runner uses. */
export interface ProbeLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ProbeRunnerOptions {
  endpoints: readonly EndpointSpec[];
  resolver: HostResolver;
  mode: 'local' | 'aws';
  region: string | null;
  az: string | null;
  intervalMs: number;
  /** While the latest round found an endpoint unhealthy, the next comes after this (capped at intervalMs). */
  recheckMs?: number;
  /** Deadline of each connect, TLS and HTTP phase (DNS has the resolver's own). */
  timeoutMs: number;
  certWarnDays: number;
  historySize: number;
  /** Endpoints probed at once; few, so that one probe's timings are not another's queueing. */
  concurrency?: number;
  /**
   * Run one unrecorded round before the first: a fresh process spends tens of ms on its first
   * connections (code loading, JIT), which would read as a slow network.
   */
  warmUp?: boolean;
  dnsCache?: DnsCacheView | null;
  log: ProbeLogger;
  registry?: Registry;
  /** Called with each round's report (e.g. to publish it); a failure is logged, not fatal. */
  onReport?(report: HealthReport): Promise<void> | void;
  now?: () => Date;
}

export interface ProbeRunner {
  readonly endpoints: readonly EndpointSpec[];
  /** Runs a round now (or joins the one running) and returns its report. */
  runOnce(): Promise<HealthReport>;
  /** Runs a round at once, then one every intervalMs (recheckMs while something is unhealthy) after the previous ended. */
  start(): void;
  stop(): Promise<void>;
  latest(): HealthReport | null;
  history(query: HistoryQuery): EndpointHistory | null;
  firstRoundDone(): boolean;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as T;
      out[index] = await work(item);
    }
  });
  await Promise.all(lanes);
  return out;
}

export function createProbeRunner(options: ProbeRunnerOptions): ProbeRunner {
  const { endpoints, log, concurrency = 3, warmUp = true, now = () => new Date() } = options;
  const history = createProbeHistory({ capacity: options.historySize });
  const metrics = options.registry ? createProbeMetrics(options.registry) : null;
  let latest: HealthReport | null = null;
  let round = 0;
  let running: Promise<HealthReport> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function logTransition(result: EndpointResult, from: string | null) {
    const fields = { endpoint: result.endpoint, host: result.host, from, to: result.status, notes: result.notes };
    const why = result.notes.length > 0 ? `: ${result.notes.join('; ')}` : '';
    if (from === null) log.info(fields, `${result.endpoint} is ${result.status}${why}`);
    else if (result.status === 'healthy') log.info(fields, `${result.endpoint} is healthy again (was ${from})`);
    else log.warn(fields, `${result.endpoint} went from ${from} to ${result.status}${why}`);
  }

  const probeAll = (dnsCache: DnsCacheView | null) =>
    mapLimited(endpoints, concurrency, (spec) =>
      probeEndpoint(spec, {
        resolver: options.resolver,
        timeoutMs: options.timeoutMs,
        certWarnDays: options.certWarnDays,
        az: options.az,
        dnsCache,
        now,
      }),
    );

  async function runRound(): Promise<HealthReport> {
    if (round === 0 && warmUp) await probeAll(null);
    const results = await probeAll(options.dnsCache ?? null);
    for (const result of results) {
      metrics?.observe(result);
      const transition = history.record(result);
      if (transition) {
        metrics?.transition(transition);
        logTransition(result, transition.from);
      }
    }
    round += 1;
    const count = (status: EndpointResult['status']) => results.filter((r) => r.status === status).length;
    const report: HealthReport = {
      generatedAt: now().toISOString(),
      mode: options.mode,
      region: options.region,
      az: options.az,
      round,
      status: worstStatus(results.map((r) => r.status)),
      counts: { healthy: count('healthy'), degraded: count('degraded'), unhealthy: count('unhealthy') },
      endpoints: results,
    };
    latest = report;
    try {
      await options.onReport?.(report);
    } catch (error) {
      log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not publish the health report');
    }
    return report;
  }

  const runner: ProbeRunner = {
    endpoints,
    runOnce() {
      running ??= runRound().finally(() => {
        running = undefined;
      });
      return running;
    },
    start() {
      if (timer || stopped) return;
      const tick = () => {
        runner
          .runOnce()
          .catch((error: unknown) => log.error({ err: error instanceof Error ? error.message : String(error) }, 'probe round failed'))
          .finally(() => {
            if (stopped) return;
            const unhealthy = (latest?.counts.unhealthy ?? 0) > 0;
            timer = setTimeout(tick, unhealthy ? Math.min(options.recheckMs ?? options.intervalMs, options.intervalMs) : options.intervalMs);
            timer.unref();
          });
      };
      tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      options.resolver.cancel();
    },
    latest: () => latest,
    history: ({ endpoint, limit }) => history.history(endpoint, limit),
    firstRoundDone: () => round > 0,
  };
  return runner;
}
