import type { Job } from 'bullmq';
import type { CacheWrite, ResponseCache } from '@manga-assist/cache';
import type { CacheWriteJob } from '@manga-assist/contracts';
import { createGuardrails } from '@manga-assist/guardrails';
import { createMetricsRegistry } from '@manga-assist/telemetry';
import { createCacheWriteJob } from './cache-write.job';

function recordingCache(fail = false) {
  const writes: CacheWrite[] = [];
  const cache: Pick<ResponseCache, 'write'> = {
    write: async (entry) => {
      if (fail) throw new Error('OOM command not allowed when used memory > maxmemory');
      writes.push(entry);
      return 'written';
    },
  };
  return { cache, writes };
}

const job = (answer: string): CacheWriteJob => ({
  traceId: '0'.repeat(32),
  question: 'おすすめは？',
  answer,
  model: 'haiku',
  scope: { intent: 'recommendation', filters: {}, titleIds: [], language: 'ja' },
  ttlSeconds: 1800,
  createdAt: '2025-01-01T00:00:00.000Z',
});
const anyJob = {} as Job;

describe('cache-write job', () => {
  it('caches a clean answer with its TTL', async () => {
    const { cache, writes } = recordingCache();
    const handler = createCacheWriteJob({ cache, guardrails: createGuardrails(), registry: createMetricsRegistry('post-processor', { defaultMetrics: false }) });
    expect(await handler(job('『ワンピース』がおすすめです。'), anyJob)).toEqual({ result: 'written' });
    expect(writes).toEqual([expect.objectContaining({ answer: '『ワンピース』がおすすめです。', ttlSeconds: 1800 })]);
  });

  it('does not cache an answer the guardrails would revise', async () => {
    const { cache, writes } = recordingCache();
    const registry = createMetricsRegistry('post-processor', { defaultMetrics: false });
    const handler = createCacheWriteJob({ cache, guardrails: createGuardrails(), registry });
    expect(await handler(job('お問い合わせは 090-1234-5678 まで'), anyJob)).toEqual({ result: 'withheld' });
    expect(writes).toEqual([]);
    expect(await registry.metrics()).toContain('manga_assist_cache_writes_total{result="withheld",app="post-processor"} 1');
  });

  it('counts a failed write and fails the job so it is retried', async () => {
    const registry = createMetricsRegistry('post-processor', { defaultMetrics: false });
    const handler = createCacheWriteJob({ cache: recordingCache(true).cache, guardrails: createGuardrails(), registry });
    await expect(handler(job('『ワンピース』がおすすめです。'), anyJob)).rejects.toThrow(/maxmemory/);
    expect(await registry.metrics()).toContain('cache_write_failures_total{app="post-processor"} 1');
  });
});
