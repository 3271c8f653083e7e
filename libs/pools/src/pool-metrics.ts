import { Counter, Gauge, Histogram } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

export interface PoolStats {
  /** Sockets carrying a request (or connecting for one). */
  active: number;
  /** Open sockets waiting for reuse. */
  idle: number;
  /** Requests waiting for a socket. */
  queued: number;
  /** Sockets allowed per origin. */
  max: number;
  /** In-use share of `max` on the busiest origin: at 1, further requests queue. */
  utilization: number;
}

/** What one pool hands its registry: its stats on scrape, and handles for the per-event series. */
export interface PoolMetricsHandle {
  observeCheckoutWait(seconds: number): void;
  countConnectionOpened(): void;
  unregister(): void;
}

interface RegistryMetrics {
  pools: Map<string, () => PoolStats>;
  checkoutWait: Histogram<'pool'>;
  connectionsOpened: Counter<'pool'>;
}

// Checkout waits are ~0 while a socket is free or may be opened, and grow with queueing.
const CHECKOUT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

// One set of series per registry, shared by every pool on it: prom-client refuses a name twice.
const byRegistry = new WeakMap<Registry, RegistryMetrics>();

export function registerPoolMetrics(registry: Registry, pool: string, stats: () => PoolStats): PoolMetricsHandle {
  let metrics = byRegistry.get(registry);
  if (metrics === undefined) {
    metrics = createRegistryMetrics(registry);
    byRegistry.set(registry, metrics);
  }
  const { pools, checkoutWait, connectionsOpened } = metrics;
  if (pools.has(pool)) throw new Error(`Pool "${pool}" is already registered on this metrics registry`);
  pools.set(pool, stats);
  // Series exist from the start, so a rate over them has a zero to begin from.
  checkoutWait.zero({ pool });
  connectionsOpened.inc({ pool }, 0);
  const wait = checkoutWait.labels({ pool });
  const opened = connectionsOpened.labels({ pool });
  // Events after unregister (a late socket) would bring the series back, or feed a successor's.
  let live = true;
  return {
    observeCheckoutWait(seconds) {
      if (live) wait.observe(seconds);
    },
    countConnectionOpened() {
      if (live) opened.inc();
    },
    unregister() {
      if (!live) return;
      live = false;
      pools.delete(pool);
      checkoutWait.remove({ pool });
      connectionsOpened.remove({ pool });
    },
  };
}

function createRegistryMetrics(registry: Registry): RegistryMetrics {
  const pools = new Map<string, () => PoolStats>();
  // Gauges read the agents when scraped rather than being updated on every request.
  const gauge = (name: string, help: string, read: (stats: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['pool'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [pool, stats] of pools) this.set({ pool }, read(stats()));
      },
    });
  gauge('manga_assist_pool_sockets_in_use', 'Sockets carrying a request (or connecting for one), per pool.', (s) => s.active);
  gauge('manga_assist_pool_sockets_idle', 'Open keep-alive sockets waiting for reuse, per pool.', (s) => s.idle);
  gauge('manga_assist_pool_queued_requests', 'Requests waiting for a socket because the pool is at maxSockets.', (s) => s.queued);
  gauge(
    'manga_assist_pool_utilization_ratio',
    'Sockets in use over maxSockets on the busiest origin of the pool (0-1); at 1 requests queue.',
    (s) => s.utilization,
  );
  return {
    pools,
    checkoutWait: new Histogram({
      name: 'manga_assist_pool_checkout_wait_seconds',
      help: 'Time from a request being handed to the pool until it is given a socket.',
      labelNames: ['pool'],
      buckets: CHECKOUT_BUCKETS,
      registers: [registry],
    }),
    connectionsOpened: new Counter({
      name: 'manga_assist_pool_connections_opened_total',
      help: 'Connections established by the pool (DNS, TCP and, for https, TLS done).',
      labelNames: ['pool'],
      registers: [registry],
    }),
  };
}
