import type { AnsweredJob } from '@manga-assist/contracts';
import { JOB_SCHEMAS, jobIdFor } from '@manga-assist/queue';
import { answerJobs } from './answer-jobs';

const at = '2026-11-24T12:30:00.000Z';
const traceId = 'a'.repeat(32);

const answered = (over: Partial<AnsweredJob> = {}): AnsweredJob => ({
  traceId,
  at,
  requestId: 'r-1',
  question: 'おすすめの少年マンガは？',
  answer: '『ワンピース』がおすすめです。',
  model: 'haiku',
  sessionId: 's-1',
  userId: 'u-1',
  connectionId: 'c-1',
  intent: 'recommendation',
  titleIds: ['T1'],
  scope: { intent: 'recommendation', filters: {}, titleIds: ['T1'], language: 'ja' },
  cacheTtlSeconds: 600,
  timings: { intent: 0.2, 'fm-total': 800 },
  degraded: [],
  turn: { seq: 3, requestId: 'r-1', user: 'おすすめの少年マンガは？', assistant: '『ワンピース』がおすすめです。', intent: 'recommendation', at },
  ...over,
});

describe('the jobs of one answer', () => {
  it('for a fresh answer: cache write, guardrail check, analytics, audit and session turn, as the gateway used to hand them over', () => {
    const jobs = answerJobs(answered());
    expect(jobs).toEqual([
      {
        name: 'cache-write',
        data: {
          traceId,
          question: 'おすすめの少年マンガは？',
          answer: '『ワンピース』がおすすめです。',
          model: 'haiku',
          scope: { intent: 'recommendation', filters: {}, titleIds: ['T1'], language: 'ja' },
          ttlSeconds: 600,
          createdAt: at,
        },
      },
      {
        name: 'guardrail-check',
        data: { traceId, connectionId: 'c-1', requestId: 'r-1', sessionId: 's-1', intent: 'recommendation', question: 'おすすめの少年マンガは？', answer: '『ワンピース』がおすすめです。' },
      },
      {
        name: 'analytics',
        data: {
          eventId: traceId,
          type: 'chat_answered',
          sessionId: 's-1',
          intent: 'recommendation',
          model: 'haiku',
          cached: false,
          titleIds: ['T1'],
          timings: { intent: 0.2, 'fm-total': 800 },
          degraded: [],
          at,
        },
      },
      {
        name: 'audit',
        data: { traceId, sessionId: 's-1', userId: 'u-1', requestId: 'r-1', question: 'おすすめの少年マンガは？', answer: '『ワンピース』がおすすめです。', model: 'haiku', at },
      },
      { name: 'session-update', data: { traceId, sessionId: 's-1', userId: 'u-1', turn: answered().turn, titleIds: ['T1'] } },
    ]);
    // Every payload is one its queue accepts, under the id the gateway's own jobs had.
    for (const job of jobs) expect(JOB_SCHEMAS[job.name].safeParse(job.data).success).toBe(true);
    expect(jobs.map((j) => jobIdFor(j.name, j.data))).toEqual(['cache-write', 'guardrail-check', 'analytics', 'audit', 'session-update'].map((q) => `${q}.${traceId}`));
  });

  it('for a cache hit: no cache write and no second guardrail check, an analytics event marked cached', () => {
    const jobs = answerJobs(answered({ model: 'cache', cacheTtlSeconds: 0 }));
    expect(jobs.map((j) => j.name)).toEqual(['analytics', 'audit', 'session-update']);
    expect(jobs[0]).toMatchObject({ name: 'analytics', data: { model: 'cache', cached: true } });
  });

  it('for an order-status (high-risk, never cached) answer: checked, not cached', () => {
    const jobs = answerJobs(answered({ intent: 'order_status', titleIds: [], cacheTtlSeconds: 0 }));
    expect(jobs.map((j) => j.name)).toEqual(['guardrail-check', 'analytics', 'audit', 'session-update']);
  });

  it('passes an HTTP answer (no connection) and an anonymous user through to the checks and records', () => {
    const anonymous = answered({ connectionId: null });
    delete anonymous.userId;
    const jobs = answerJobs(anonymous);
    expect(jobs.find((j) => j.name === 'guardrail-check')?.data).toMatchObject({ connectionId: null });
    expect((jobs.find((j) => j.name === 'audit')?.data as { userId?: string }).userId).toBeUndefined();
    for (const job of jobs) expect(JOB_SCHEMAS[job.name].safeParse(job.data).success).toBe(true);
  });

  it('does not cache an empty answer', () => {
    expect(answerJobs(answered({ answer: '' })).map((j) => j.name)).toEqual(['guardrail-check', 'analytics', 'audit', 'session-update']);
  });
});
