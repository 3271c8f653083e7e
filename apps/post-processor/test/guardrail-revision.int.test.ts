// A violation in an answer that was already streamed reaches the client as a revision frame,
// through whichever gateway instance holds the connection. The two instances here are the
// revision subscribers each gateway process runs (subscribeRevisions + its sockets).
import { randomBytes } from 'node:crypto';
import type { GuardrailCheckJob } from '@manga-assist/contracts';
import { subscribeRevisions } from '@manga-assist/revisions';
import type { RevisionFrame, RevisionSubscription } from '@manga-assist/revisions';
import { waitFor } from '@manga-assist/testing';
import { startPostProcessorSystem } from './post-processor-system';
import type { PostProcessorSystem } from './post-processor-system';

jest.setTimeout(60_000);

const check = (connectionId: string | null, answer: string): GuardrailCheckJob => ({
  traceId: randomBytes(16).toString('hex'),
  connectionId,
  requestId: `req-${randomBytes(3).toString('hex')}`,
  sessionId: 'session-1',
  intent: 'recommendation',
  question: 'おすすめは？',
  answer,
});

describe('guardrail revisions', () => {
  let system: PostProcessorSystem;
  const subscriptions: RevisionSubscription[] = [];
  const delivered: { instance: string; connectionId: string; frame: RevisionFrame; at: number }[] = [];

  /** A gateway instance: delivers the revisions for the connections it holds. */
  const gateway = async (instance: string, holds: string[]) => {
    const subscription = subscribeRevisions({
      redisUrl: system.env.REDIS_URL!,
      keyPrefix: system.keyPrefix,
      onRevision: (connectionId, frame) => {
        if (holds.includes(connectionId)) delivered.push({ instance, connectionId, frame, at: performance.now() });
      },
    });
    subscriptions.push(subscription);
    await subscription.ready;
  };

  beforeAll(async () => {
    system = await startPostProcessorSystem();
    system.start();
    await system.ready();
    await gateway('gateway-1', ['conn-1']);
    await gateway('gateway-2', ['conn-2']);
  });
  afterAll(async () => {
    await Promise.all(subscriptions.map((s) => s.close()));
    await system?.stop();
  });

  it('delivers the revised answer through the second gateway instance within a second', async () => {
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      delivered.length = 0;
      const job = check('conn-2', `『ワンピース』がおすすめです。ご注文は 090-1234-567${i} までお電話ください。`);
      const started = performance.now();
      system.producer.enqueue('guardrail-check', job);
      await waitFor(() => delivered.length > 0, { timeoutMs: 1000, intervalMs: 2, description: 'a revision within a second' });
      expect(delivered).toEqual([
        {
          instance: 'gateway-2',
          connectionId: 'conn-2',
          frame: { type: 'revision', requestId: job.requestId, text: '『ワンピース』がおすすめです。ご注文は [redacted phone] までお電話ください。' },
          at: expect.any(Number),
        },
      ]);
      latencies.push(Math.round(delivered[0]!.at - started));
    }
    expect(Math.max(...latencies)).toBeLessThan(1000);
    process.stdout.write(`guardrail revisions delivered after (ms): ${latencies.join(', ')}\n`);
  });

  it('sends nothing for a clean answer, or for an answer given over HTTP (no connection to revise)', async () => {
    delivered.length = 0;
    const clean = check('conn-1', '『ワンピース』がおすすめです。');
    const http = check(null, 'メールは a@b.jp まで');
    system.producer.enqueue('guardrail-check', clean);
    system.producer.enqueue('guardrail-check', http);
    const queue = system.queues.get('guardrail-check');
    await waitFor(async () => (await queue.getJobState(`guardrail-check.${clean.traceId}`)) === 'completed' && (await queue.getJobState(`guardrail-check.${http.traceId}`)) === 'completed', {
      timeoutMs: 5000,
    });
    expect((await queue.getJob(`guardrail-check.${http.traceId}`))?.returnvalue).toEqual({ ok: false, revised: false });
    expect(delivered).toEqual([]);
  });
});
