// When workers take jobs: only the queues a process is told to drain, only while their sinks are
// reachable, and never again after SIGTERM, which lets the jobs in flight finish.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Job } from 'bullmq';
import type { AnalyticsEvent, AnsweredJob, AuditJob, CacheScope } from '@manga-assist/contracts';
import type { QUEUE_NAMES } from '@manga-assist/queue';
import { waitFor } from '@manga-assist/testing';
import { startPostProcessorSystem } from './post-processor-system';
import type { PostProcessorSystem } from './post-processor-system';

jest.setTimeout(120_000);

const traceId = () => randomBytes(16).toString('hex');
const at = () => new Date().toISOString();
const auditJob = (): AuditJob => ({ traceId: traceId(), sessionId: 's', requestId: 'r', question: 'q', answer: 'a', model: 'haiku', at: at() });
const event = (): AnalyticsEvent => ({
  eventId: traceId(),
  type: 'chat_answered',
  sessionId: 's',
  intent: 'trending',
  model: 'haiku',
  cached: false,
  titleIds: [],
  timings: {},
  degraded: [],
  at: at(),
});
const scope: CacheScope = { intent: 'trending', filters: {}, titleIds: [], language: 'ja' };
const answeredJob = (): AnsweredJob => {
  const now = at();
  return {
    traceId: traceId(),
    at: now,
    requestId: 'r',
    question: '人気',
    answer: '…',
    model: 'haiku',
    sessionId: 'lifecycle-answered',
    connectionId: null,
    intent: 'trending',
    titleIds: [],
    scope,
    cacheTtlSeconds: 900,
    timings: {},
    degraded: [],
    turn: { seq: 1, requestId: 'r', user: '人気', assistant: '…', intent: 'trending', at: now },
  };
};

describe('worker lifecycle', () => {
  let system: PostProcessorSystem;

  beforeAll(async () => {
    system = await startPostProcessorSystem();
  });
  afterAll(() => system?.stop());

  const state = (queue: (typeof QUEUE_NAMES)[number], id: string) => system.queues.get(queue).getJobState(id);

  it('drains only the queues in QUEUES, and each only while its own sinks are reachable', async () => {
    // The audit directory cannot be created while a file stands where its parent should be.
    const blocked = path.join(system.auditDir, 'blocked');
    writeFileSync(blocked, '');
    system.start({ QUEUES: 'audit,analytics', AUDIT_DIR: path.join(blocked, 'audit') });

    const status = await waitFor(
      async () => {
        const res = await fetch(`${system.url}/readyz`).catch(() => null);
        const body = res ? ((await res.json()) as { ready: boolean; reason: string | null; checks: { name: string; ok: boolean }[] }) : null;
        return body?.checks.every((c) => c.ok || c.name === 'audit-log') ? body : null;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: 'readiness with the audit log failing' },
    );
    expect(status.ready).toBe(false);
    expect(status.reason).toMatch(/^audit-log: /);
    // A process that does not drain session updates does not wait for DynamoDB.
    expect(status.checks.map((c) => c.name)).toEqual(['redis', 'kinesis', 'audit-log', 'warm-up']);

    const audit = auditJob();
    const analytics = event();
    const cacheWrite = { traceId: traceId(), question: '人気', answer: '…', model: 'haiku' as const, scope, ttlSeconds: 60, createdAt: at() };
    system.producer.enqueue('audit', audit);
    system.producer.enqueue('analytics', analytics);
    system.producer.enqueue('cache-write', cacheWrite);
    // Answered jobs are fanned out by every process (they feed all the queues), audit sink or not.
    const answered = answeredJob();
    system.producer.enqueue('answered-batch', { batchId: answered.traceId, answers: [answered] });
    await waitFor(async () => (await state('analytics', `analytics.${analytics.eventId}`)) === 'completed', { timeoutMs: 10_000, description: 'analytics drained' });
    await waitFor(async () => (await state('answered-batch', `answered-batch.${answered.traceId}`)) === 'completed', { timeoutMs: 10_000, description: 'answered fanned out' });
    // The audit worker is paused: its jobs wait, their attempts untouched.
    expect(await state('audit', `audit.${audit.traceId}`)).toBe('waiting');
    expect(await state('audit', `audit.${answered.traceId}`)).toBe('waiting');

    // The sink comes back: the audit worker resumes by itself.
    rmSync(blocked);
    mkdirSync(blocked);
    await waitFor(async () => (await state('audit', `audit.${audit.traceId}`)) === 'completed', { timeoutMs: 10_000, description: 'audit drained once writable' });
    await waitFor(async () => (await state('audit', `audit.${answered.traceId}`)) === 'completed', { timeoutMs: 10_000, description: 'derived audit drained' });
    await system.ready();
    const job = await system.queues.get('audit').getJob(`audit.${audit.traceId}`);
    expect(job?.attemptsMade).toBe(1);
    // Not this process's queue.
    expect(await state('cache-write', `cache-write.${cacheWrite.traceId}`)).toBe('waiting');
    expect(await state('session-update', `session-update.${answered.traceId}`)).toBe('waiting');

    await system.process().stop('SIGTERM');
    await system.queues.get('cache-write').remove(`cache-write.${cacheWrite.traceId}`);
    for (const queue of ['cache-write', 'guardrail-check', 'session-update'] as const) await system.queues.get(queue).remove(`${queue}.${answered.traceId}`);
  });

  it('on SIGTERM stops taking jobs, finishes those in flight and exits; nothing runs twice', async () => {
    system.start();
    await system.ready();
    // Session updates go through DynamoDB: slow enough that SIGTERM finds work in flight.
    const kinds = ['audit', 'session-update'] as const;
    const total = async () => {
      const counts = await Promise.all(kinds.map((q) => system.queues.get(q).getJobCounts('completed', 'active')));
      return { completed: counts.reduce((n, c) => n + (c['completed'] ?? 0), 0), active: counts.reduce((n, c) => n + (c['active'] ?? 0), 0) };
    };
    const before = (await total()).completed;
    const jobs = 3000;
    for (let i = 0; i < jobs / 2; i++) {
      system.producer.enqueue('audit', auditJob());
      system.producer.enqueue('session-update', {
        traceId: traceId(),
        sessionId: `sigterm-${i % 100}`,
        turn: { seq: Math.floor(i / 100) + 1, requestId: `r${i}`, user: 'q', assistant: 'a', intent: 'trending', at: at() },
        titleIds: [],
      });
    }
    expect(await system.producer.flush(30_000)).toBe(true);
    await waitFor(async () => (await total()).completed >= before + 300, { timeoutMs: 30_000, intervalMs: 20 });

    const exit = await system.process().stop('SIGTERM', { killAfterMs: 15_000 });
    expect(exit).toEqual({ code: 0, signal: null });
    const afterStop = await total();
    // Nothing was left half-done: no job is still marked active by the stopped process.
    expect(afterStop.active).toBe(0);
    expect(afterStop.completed).toBeLessThan(before + jobs);

    system.start();
    await waitFor(async () => (await total()).completed === before + jobs, { timeoutMs: 60_000, intervalMs: 100, description: 'the rest drained after restart' });
    const completed = (await Promise.all(kinds.map((q) => system.queues.get(q).getJobs(['completed'], 0, -1)))).flat() as Job[];
    expect(completed.filter((j) => (j.attemptsStarted ?? 1) > 1)).toEqual([]);
  });
});
