import { Counter, Histogram, createMetricsRegistry } from '@manga-assist/telemetry';
import { OpsSnapshotSchema } from '@manga-assist/contracts';
import { collectOpsSnapshot } from './ops-stream';
import type { OpsFeedSources } from './ops-stream';

function sources(overrides: Partial<OpsFeedSources> = {}): OpsFeedSources {
  const registry = createMetricsRegistry('chat-gateway');
  const requests = new Counter({ name: 'manga_assist_chat_requests_total', help: 'h', labelNames: ['intent', 'model', 'outcome'], registers: [registry] });
  requests.inc({ intent: 'trending', model: 'haiku', outcome: 'answered' }, 4);
  requests.inc({ intent: 'comparison', model: 'sonnet', outcome: 'answered' }, 2);
  requests.inc({ intent: 'trending', model: 'cache', outcome: 'answered' }, 3);
  requests.inc({ intent: 'comparison', model: 'sonnet', outcome: 'stream_interrupted' });
  const hits = new Counter({ name: 'manga_assist_cache_hits_total', help: 'h', labelNames: ['kind'], registers: [registry] });
  hits.inc({ kind: 'exact' }, 2);
  hits.inc({ kind: 'semantic' });
  hits.inc({ kind: 'precomputed' }, 5);
  const wait = new Histogram({ name: 'manga_assist_pool_checkout_wait_seconds', help: 'h', labelNames: ['pool'], registers: [registry] });
  wait.observe({ pool: 'dynamodb' }, 0.002);
  wait.observe({ pool: 'dynamodb' }, 0.004);
  for (const name of ['manga_assist_pool_sockets_in_use', 'manga_assist_pool_sockets_idle', 'manga_assist_pool_queued_requests']) {
    new Counter({ name, help: 'h', labelNames: ['pool'], registers: [registry] }).inc({ pool: 'dynamodb' }, name.endsWith('idle') ? 2 : 1);
  }
  const transitions = new Counter({ name: 'manga_assist_downstream_breaker_transitions_total', help: 'h', labelNames: ['downstream', 'to'], registers: [registry] });
  transitions.inc({ downstream: 'sonnet', to: 'open' });
  transitions.inc({ downstream: 'sonnet', to: 'half-open' });
  return {
    registry,
    status: async () => ({ ready: true, checkedAt: new Date().toISOString(), apps: [] }),
    profile: () => ({ generatedAt: new Date().toISOString(), windowMs: 60_000, tolerance: 0.2, requests: 0, segments: {}, bottleneck: { owned: null, overall: null } }),
    downstreams: () => [{ downstream: 'sonnet', breaker: 'half-open', executing: 0, queued: 0, limit: 40, queueLimit: 40, recentFailures: 0 }],
    queueCounts: async () => ({ 'cache-write': { waiting: 1, prioritized: 1, active: 2, failed: 3, completed: 9, delayed: 0 } }),
    deadLetters: async () => ({ total: 4, byQueue: { 'cache-write': 4 } }),
    tasks: async () => [],
    healthReport: async () => null,
    healthHistory: async () => {
      throw new Error('not called without a report');
    },
    queueBoardUrl: 'http://127.0.0.1:3002/queues',
    ...overrides,
  };
}

describe('collectOpsSnapshot', () => {
  it('counts answers by source, and reads pools, breakers and queues', async () => {
    const snapshot = OpsSnapshotSchema.parse(await collectOpsSnapshot(sources()));
    expect(snapshot.answers).toEqual({ exact: 2, semantic: 1, precomputed: 5, haiku: 4, sonnet: 2, errors: 1 });
    expect(snapshot.pools).toEqual([{ pool: 'dynamodb', inUse: 1, idle: 2, queued: 1, checkoutWaitMs: 3 }]);
    expect(snapshot.downstreams[0]).toMatchObject({ downstream: 'sonnet', breaker: 'half-open', transitions: 2 });
    expect(snapshot.queues).toEqual([{ queue: 'cache-write', waiting: 2, active: 2, delayed: 0, failed: 3, completed: 9, deadLetters: 4 }]);
    expect(snapshot.errors).toEqual([]);
  });

  it('shows the rest when a peer does not answer, naming what is missing', async () => {
    const snapshot = await collectOpsSnapshot(
      sources({
        tasks: async () => {
          throw new Error('fetch failed');
        },
        queueCounts: async () => {
          throw new Error('Connection is closed.');
        },
      }),
    );
    expect(snapshot.tasks).toBeNull();
    expect(snapshot.queues).toBeNull();
    expect(snapshot.answers.haiku).toBe(4);
    expect(snapshot.errors).toEqual(['queues: Connection is closed.', 'scheduler tasks: fetch failed']);
  });
});
