import { Counter, Gauge } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';
import type { BreakerState } from './downstream-breaker';
import type { DownstreamName } from './downstream-settings';
import { DOWNSTREAM_NAMES } from './downstream-settings';

export type CallOutcome = 'success' | 'failure' | 'rejected' | 'timeout' | 'cancelled';

export interface ResilienceMetrics {
  transition(downstream: DownstreamName, to: BreakerState): void;
  call(downstream: DownstreamName, outcome: CallOutcome): void;
  bulkheadRejected(downstream: DownstreamName): void;
  retry(downstream: DownstreamName): void;
  fallback(downstream: DownstreamName, fallback: string): void;
  /** Removes these metrics from the registry. */
  dispose(): void;
}

/** What the gauges read at each scrape. */
export interface GaugeSource {
  downstream: DownstreamName;
  breaker: BreakerState;
  executing: number;
  queued: number;
}

/** Gauge value of each breaker state. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = Object.freeze({
  closed: 0,
  'half-open': 1,
  open: 2,
  isolated: 3,
});

const BREAKER_STATES = Object.keys(BREAKER_STATE_VALUE) as BreakerState[];
const OUTCOMES: readonly CallOutcome[] = ['success', 'failure', 'rejected', 'timeout', 'cancelled'];

export const RESILIENCE_METRIC_NAMES = Object.freeze({
  breakerState: 'manga_assist_downstream_breaker_state',
  transitions: 'manga_assist_downstream_breaker_transitions_total',
  executing: 'manga_assist_downstream_bulkhead_executing',
  queued: 'manga_assist_downstream_bulkhead_queued',
  bulkheadRejections: 'manga_assist_downstream_bulkhead_rejections_total',
  calls: 'manga_assist_downstream_calls_total',
  retries: 'manga_assist_downstream_retries_total',
  fallbacks: 'manga_assist_downstream_fallbacks_total',
});

const NOOP: ResilienceMetrics = {
  transition: () => undefined,
  call: () => undefined,
  bulkheadRejected: () => undefined,
  retry: () => undefined,
  fallback: () => undefined,
  dispose: () => undefined,
};

/**
 * Counters and gauges per downstream. Gauges are read from `source` at scrape time, so they show
 * the state now (a breaker whose cooldown just ended reads half-open before any call arrives).
 */
export function createResilienceMetrics(registry: Registry | undefined, source: () => GaugeSource[]): ResilienceMetrics {
  if (!registry) return NOOP;
  const names = Object.values(RESILIENCE_METRIC_NAMES);
  const taken = names.filter((name) => registry.getSingleMetric(name) !== undefined);
  if (taken.length > 0) {
    throw new Error(
      `${taken.join(', ')} already registered: one set of downstream policies per registry (dispose the previous one first)`,
    );
  }
  const registers = [registry];

  const gauge = (name: string, help: string, read: (s: GaugeSource) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['downstream'] as const,
      registers,
      collect() {
        for (const s of source()) this.set({ downstream: s.downstream }, read(s));
      },
    });
  gauge(RESILIENCE_METRIC_NAMES.breakerState, 'Circuit breaker state: 0 closed, 1 half-open, 2 open, 3 isolated.', (s) => BREAKER_STATE_VALUE[s.breaker]);
  gauge(RESILIENCE_METRIC_NAMES.executing, 'Calls running inside the bulkhead.', (s) => s.executing);
  gauge(RESILIENCE_METRIC_NAMES.queued, 'Calls waiting in the bulkhead queue.', (s) => s.queued);

  const transitions = new Counter({
    name: RESILIENCE_METRIC_NAMES.transitions,
    help: 'Circuit breaker state changes, by the state entered.',
    labelNames: ['downstream', 'to'] as const,
    registers,
  });
  const rejections = new Counter({
    name: RESILIENCE_METRIC_NAMES.bulkheadRejections,
    help: 'Calls refused at once because the bulkhead and its queue were full.',
    labelNames: ['downstream'] as const,
    registers,
  });
  const calls = new Counter({
    name: RESILIENCE_METRIC_NAMES.calls,
    help: 'Calls through the downstream policies, by outcome (rejected: breaker open or bulkhead full; cancelled: by the caller).',
    labelNames: ['downstream', 'outcome'] as const,
    registers,
  });
  const retries = new Counter({
    name: RESILIENCE_METRIC_NAMES.retries,
    help: 'Retried attempts of idempotent calls.',
    labelNames: ['downstream'] as const,
    registers,
  });
  const fallbacks = new Counter({
    name: RESILIENCE_METRIC_NAMES.fallbacks,
    help: 'Answers served by a fallback because the downstream was unavailable.',
    labelNames: ['downstream', 'fallback'] as const,
    registers,
  });

  // Series start at zero so that rates and alerts work from the first scrape.
  for (const downstream of DOWNSTREAM_NAMES) {
    for (const to of BREAKER_STATES) transitions.inc({ downstream, to }, 0);
    for (const outcome of OUTCOMES) calls.inc({ downstream, outcome }, 0);
    rejections.inc({ downstream }, 0);
    retries.inc({ downstream }, 0);
  }

  return {
    transition: (downstream, to) => transitions.inc({ downstream, to }),
    call: (downstream, outcome) => calls.inc({ downstream, outcome }),
    bulkheadRejected: (downstream) => rejections.inc({ downstream }),
    retry: (downstream) => retries.inc({ downstream }),
    fallback: (downstream, fallback) => fallbacks.inc({ downstream, fallback }),
    dispose: () => {
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
