import type { Job } from 'bullmq';
import type { CacheWrite, ResponseCache } from '@manga-assist/cache';
import { CacheWriteJobSchema } from '@manga-assist/contracts';
import { createBedrockGuardrail, createGuardedCacheWriter, createGuardrails } from '@manga-assist/guardrails';
import type { RemoteGuardrail } from '@manga-assist/guardrails';
import { createMetricsRegistry } from '@manga-assist/telemetry';
import { startTestServer } from '@manga-assist/testing';
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

// Parsed as the worker parses it (the lineage filled in).
const job = (answer: string) => CacheWriteJobSchema.parse({
  traceId: '0'.repeat(32),
  question: 'おすすめは？',
  answer,
  model: 'haiku',
  scope: { intent: 'recommendation', filters: {}, titleIds: [], language: 'ja' },
  ttlSeconds: 1800,
  createdAt: '2025-01-01T00:00:00.000Z',
});
const anyJob = {} as Job;
const gate = (cache: Pick<ResponseCache, 'write'>, remote?: RemoteGuardrail) => createGuardedCacheWriter({ cache, guardrails: createGuardrails(), remote });

describe('cache-write job', () => {
  it('caches a clean answer with its TTL', async () => {
    const { cache, writes } = recordingCache();
    const handler = createCacheWriteJob({ writer: gate(cache), registry: createMetricsRegistry('post-processor', { defaultMetrics: false }) });
    expect(await handler(job('『ワンピース』がおすすめです。'), anyJob)).toEqual({ result: 'written' });
    expect(writes).toEqual([expect.objectContaining({ answer: '『ワンピース』がおすすめです。', ttlSeconds: 1800 })]);
  });

  it('does not cache an answer the guardrails would revise', async () => {
    const { cache, writes } = recordingCache();
    const registry = createMetricsRegistry('post-processor', { defaultMetrics: false });
    const handler = createCacheWriteJob({ writer: gate(cache), registry });
    expect(await handler(job('お問い合わせは 090-1234-5678 まで'), anyJob)).toEqual({ result: 'withheld' });
    expect(writes).toEqual([]);
    expect(await registry.metrics()).toContain('manga_assist_cache_writes_total{result="withheld",app="post-processor"} 1');
  });

  it('counts a failed write and fails the job so it is retried', async () => {
    const registry = createMetricsRegistry('post-processor', { defaultMetrics: false });
    const handler = createCacheWriteJob({ writer: gate(recordingCache(true).cache), registry });
    await expect(handler(job('『ワンピース』がおすすめです。'), anyJob)).rejects.toThrow(/maxmemory/);
    expect(await registry.metrics()).toContain('cache_write_failures_total{app="post-processor"} 1');
  });

  describe('with the Bedrock guardrail (real SDK against a stand-in)', () => {
    /** Blocks answers about 暴力; answers 503 to everything while `down`. */
    async function bedrock() {
      let down = false;
      const server = await startTestServer((req, res) => {
        if (down) {
          res.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailableException' });
          res.end('{"message":"unavailable"}');
          return;
        }
        const blocked = req.body.includes('暴力');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ action: blocked ? 'GUARDRAIL_INTERVENED' : 'NONE', outputs: blocked ? [{ text: 'お答えできません。' }] : [], assessments: [] }));
      });
      const remote = createBedrockGuardrail({ region: 'ap-northeast-1', guardrailId: 'gr', guardrailVersion: '1', endpoint: server.url, localCredentials: true, timeoutMs: 2000 });
      return { remote, setDown: (value: boolean) => void (down = value), close: async () => (remote.close(), await server.close()) };
    }

    it('caches what the guardrail passes, withholds what it blocks, and caches nothing while it is unreachable', async () => {
      const { remote, setDown, close } = await bedrock();
      const registry = createMetricsRegistry('post-processor', { defaultMetrics: false });
      const { cache, writes } = recordingCache();
      const handler = createCacheWriteJob({ writer: gate(cache, remote), registry });
      try {
        expect(await handler(job('『ワンピース』がおすすめです。'), anyJob)).toEqual({ result: 'written' });
        expect(await handler(job('戦闘シーンは暴力的です。'), anyJob)).toEqual({ result: 'withheld' });
        setDown(true);
        expect(await handler(job('『ナルト』がおすすめです。'), anyJob)).toEqual({ result: 'unchecked' });
      } finally {
        await close();
      }
      expect(writes.map((w) => w.answer)).toEqual(['『ワンピース』がおすすめです。']);
      const text = await registry.metrics();
      expect(text).toContain('manga_assist_cache_writes_total{result="withheld",app="post-processor"} 1');
      expect(text).toContain('manga_assist_cache_writes_total{result="unchecked",app="post-processor"} 1');
    });
  });
});
