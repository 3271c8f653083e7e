// Queue depth on /metrics is read from Redis at scrape time; a Redis that stops answering must not
// hang the scrape (Prometheus would mark the whole target down), nor leave stale numbers.
import { Redis } from 'ioredis';
import { createMetricsRegistry } from '@manga-assist/telemetry';
import { deleteKeysWithPrefix, freePort, spawnProcess, testRedisUrl, uniquePrefix, waitFor } from '@manga-assist/testing';
import { createQueueMetrics, createQueueSet } from '../src';

describe('queue depth metrics', () => {
  it('reports each queue’s jobs by state from Redis', async () => {
    const prefix = uniquePrefix('qm').replace(/:$/, '');
    const queues = createQueueSet({ redisUrl: testRedisUrl(), prefix });
    const redis = new Redis(testRedisUrl());
    try {
      const registry = createMetricsRegistry('queue-test', { defaultMetrics: false });
      createQueueMetrics({ registry, queues });
      await queues.get('audit').add('audit', { any: 'payload' }, { jobId: 'audit.1' });
      const body = await registry.metrics();
      expect(body).toContain('manga_assist_queue_depth{queue="audit",state="waiting",app="queue-test"} 1');
      expect(body).toContain('manga_assist_queue_depth{queue="analytics",state="waiting",app="queue-test"} 0');
    } finally {
      await queues.close();
      await deleteKeysWithPrefix(redis, `${prefix}:`);
      redis.disconnect();
    }
  });

  it('answers the scrape without depth while Redis is frozen, and with it again once Redis answers', async () => {
    // A private redis-server, stopped with SIGSTOP: it holds every connection and answers nothing.
    const port = await freePort();
    const server = spawnProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    const queues = createQueueSet({ redisUrl: `redis://127.0.0.1:${port}`, prefix: 'frozen' });
    try {
      const registry = createMetricsRegistry('queue-test', { defaultMetrics: false });
      createQueueMetrics({ registry, queues, depthTimeoutMs: 200 });
      const depthShown = /^manga_assist_queue_depth\{queue="audit",state="waiting",app="queue-test"\} 0$/m;
      await waitFor(async () => depthShown.test(await registry.metrics()), { timeoutMs: 10_000, description: 'depth from the private Redis' });

      server.child.kill('SIGSTOP');
      const frozen = await registry.metrics();
      expect(frozen).toContain('# TYPE manga_assist_queue_depth gauge');
      expect(frozen).not.toMatch(/^manga_assist_queue_depth\{/m);

      server.child.kill('SIGCONT');
      await waitFor(async () => depthShown.test(await registry.metrics()), { timeoutMs: 10_000, description: 'depth again' });
    } finally {
      server.child.kill('SIGCONT');
      await queues.close();
      await server.stop('SIGTERM');
    }
  });
});
