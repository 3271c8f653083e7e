// 2,000 answers (one answered-batch job each) fanned out into 10,000 jobs of five kinds, the post-processor SIGKILLed
// half-way and started again: no job is lost and every effect stays single (sessions hold exactly
// their turns in order, the stream holds every event, the audit log every request, the cache every
// answer).
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Job } from 'bullmq';
import { readStreamRecords } from '@manga-assist/analytics';
import { cacheKeyFor } from '@manga-assist/cache';
import type { AnalyticsEvent, AnsweredJob, CacheScope } from '@manga-assist/contracts';
import { QUEUE_NAMES } from '@manga-assist/queue';
import { subscribeRevisions } from '@manga-assist/revisions';
import type { RevisionFrame } from '@manga-assist/revisions';
import { createSessionStore } from '@manga-assist/sessions';
import { waitFor } from '@manga-assist/testing';
import { startPostProcessorSystem } from './post-processor-system';
import type { PostProcessorSystem } from './post-processor-system';

jest.setTimeout(420_000);

const REQUESTS = 2000;
const SESSIONS = 200;
// The answered-batch queue and the five it fans out into: every request is one job in each (each
// request goes in as a batch of one here, so every queue ends with one job per request).
const QUEUES_USED = QUEUE_NAMES.filter((q) => !q.startsWith('webhook-') && q !== 'analysis');
const KINDS = QUEUES_USED.length;
const TOTAL = REQUESTS * KINDS;
const scope: CacheScope = { intent: 'recommendation', filters: {}, titleIds: [], language: 'ja' };

interface Request {
  traceId: string;
  sessionId: string;
  seq: number;
  requestId: string;
  question: string;
  answer: string;
  violates: boolean;
}

function requests(): Request[] {
  return Array.from({ length: REQUESTS }, (_, r) => {
    const violates = r % 20 === 0;
    return {
      traceId: randomBytes(16).toString('hex'),
      sessionId: `session-${r % SESSIONS}`,
      seq: Math.floor(r / SESSIONS) + 1,
      requestId: `req-${r}`,
      question: `質問 ${r}: おすすめの少年マンガは？`,
      // Every 20th answer leaks a phone number: the guardrail check revises it.
      answer: violates ? `『作品${r}』がおすすめです。お問い合わせは 090-1234-${String(r).padStart(4, '0')} まで。` : `『作品${r}』がおすすめです。`,
      violates,
    };
  });
}

describe('post-processor killed mid-run', () => {
  let system: PostProcessorSystem;

  beforeAll(async () => {
    system = await startPostProcessorSystem({ WORKER_LOCK_MS: '3000', WORKER_STALLED_INTERVAL_MS: '1000' });
  });
  // Closed here too, so a failed run leaves no subscriber holding the test process open.
  let subscription: { close(): Promise<void> } | undefined;
  afterAll(async () => {
    await subscription?.close();
    await system?.stop();
  });

  const counts = async () => {
    const per = await Promise.all(QUEUES_USED.map((q) => system.queues.get(q).getJobCounts('completed', 'active', 'waiting', 'delayed', 'failed')));
    const sum = (state: string) => per.reduce((n, c) => n + (c[state] ?? 0), 0);
    return { completed: sum('completed'), active: sum('active'), waiting: sum('waiting'), delayed: sum('delayed'), failed: sum('failed'), per };
  };

  it('loses nothing and doubles nothing', async () => {
    const all = requests();
    const revisions: { connectionId: string; frame: RevisionFrame }[] = [];
    const revisionFeed = subscribeRevisions({
      redisUrl: system.env.REDIS_URL!,
      keyPrefix: system.keyPrefix,
      onRevision: (connectionId, frame) => revisions.push({ connectionId, frame }),
    });
    subscription = revisionFeed;
    await revisionFeed.ready;

    system.start();
    await system.ready();
    const started = performance.now();
    const at = new Date().toISOString();
    const enqueue = (r: Request) => {
      const job: AnsweredJob = {
        traceId: r.traceId,
        at,
        requestId: r.requestId,
        question: r.question,
        answer: r.answer,
        model: 'haiku',
        sessionId: r.sessionId,
        connectionId: `conn-${r.sessionId}`,
        intent: 'recommendation',
        titleIds: [],
        scope,
        cacheTtlSeconds: 3600,
        timings: { e2e: 800 },
        degraded: [],
        turn: { seq: r.seq, requestId: r.requestId, user: r.question, assistant: r.answer, intent: 'recommendation', at },
      };
      system.producer.enqueue('answered-batch', { batchId: job.traceId, answers: [job] });
    };
    // The way the gateway hands jobs over: a steady stream of requests, each one answered-batch job that
    // the post-processor fans out into five, while the workers drain them.
    let enqueuedMs = 0;
    const producing = (async () => {
      for (let i = 0; i < all.length; i += 100) {
        all.slice(i, i + 100).forEach(enqueue);
        expect(await system.producer.flush(30_000)).toBe(true);
      }
      enqueuedMs = performance.now() - started;
    })();

    // Half-way: SIGKILL, with jobs in flight.
    const atKill = await waitFor(async () => {
      const c = await counts();
      return c.completed >= TOTAL / 2 ? c : null;
    }, { timeoutMs: 90_000, intervalMs: 50, description: 'half of the jobs completed' });
    const killed = await system.process().stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const afterKill = await counts();
    const killedAtMs = performance.now() - started;

    system.start();
    await system.ready();
    await producing;
    await waitFor(async () => (await counts()).completed === TOTAL, {
      timeoutMs: 240_000, // a bound on liveness only: with another heavy test on the same two cores kinesalite drains slowly
      intervalMs: 100,
      description: `all ${TOTAL} jobs completed (${JSON.stringify(await counts().catch(() => null))})`,
    });
    const elapsedMs = performance.now() - started;
    const final = await counts();
    expect(final).toMatchObject({ completed: TOTAL, active: 0, waiting: 0, delayed: 0, failed: 0 });
    for (const c of final.per) expect(c['completed']).toBe(REQUESTS);
    expect(await system.queues.get('dead-letter').getWaitingCount()).toBe(0);

    // Jobs that ran more than once: those in flight when the process died.
    const completedJobs = (await Promise.all(QUEUES_USED.map((q) => system.queues.get(q).getJobs(['completed'], 0, -1)))).flat() as Job[];
    expect(completedJobs).toHaveLength(TOTAL);
    const reRuns = completedJobs.reduce((n, j) => n + Math.max(0, (j.attemptsStarted ?? 1) - 1), 0);
    // attemptsMade counts the attempt that succeeded too.
    const failedAttempts = completedJobs.reduce((n, j) => n + Math.max(0, j.attemptsMade - 1), 0);

    // Sessions: exactly their turns, in order, in DynamoDB and in the session record.
    const sessions = createSessionStore({
      dynamo: system.dynamo,
      redis: system.redis,
      tables: { sessions: system.tables.sessions.TableName, turns: system.tables.turns.TableName },
      keyPrefix: system.keyPrefix,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    const turnsPerSession = REQUESTS / SESSIONS;
    for (let s = 0; s < SESSIONS; s++) {
      const sessionId = `session-${s}`;
      const rows = await system.dynamo.send(
        new QueryCommand({ TableName: system.tables.turns.TableName, KeyConditionExpression: 'sessionId = :s', ExpressionAttributeValues: { ':s': { S: sessionId } } }),
      );
      const seqs = (rows.Items ?? []).map((i) => Number(i['seq']?.N));
      expect(seqs).toEqual(Array.from({ length: turnsPerSession }, (_, i) => i + 1));
      const { session } = await sessions.load(sessionId);
      expect(session?.lastSeq).toBe(turnsPerSession);
      expect(session?.turns.map((t) => t.requestId)).toEqual(
        Array.from({ length: 5 }, (_, i) => `req-${(turnsPerSession - 5 + i) * SESSIONS + s}`),
      );
    }

    // The stream: every event, deduplicated by event id as a consumer does.
    const records = await readStreamRecords({ kinesis: system.kinesis, streamName: system.streamName });
    const eventIds = records.map((r) => (JSON.parse(Buffer.from(r.data).toString('utf8')) as AnalyticsEvent).eventId);
    const uniqueEvents = new Set(eventIds);
    expect([...uniqueEvents].sort()).toEqual(all.map((r) => r.traceId).sort());
    expect(records.every((r) => r.partitionKey.startsWith('session-'))).toBe(true);

    // The audit log: every request once (the local sink reads back what it wrote before the kill),
    // with the leaked phone numbers redacted.
    const lines = readdirSync(system.auditDir).flatMap((f) => readFileSync(path.join(system.auditDir, f), 'utf8').split('\n').filter(Boolean));
    const audited = lines.map((l) => JSON.parse(l) as { traceId: string; answer: string });
    const uniqueAudited = new Set(audited.map((a) => a.traceId));
    expect(uniqueAudited.size).toBe(REQUESTS);
    expect(audited).toHaveLength(REQUESTS);
    expect(audited.some((a) => /090-1234-\d{4}/.test(a.answer))).toBe(false);

    // The response cache: every answer written, except those the guardrails would revise.
    const cached = async (rs: Request[]) => system.redis.exists(...rs.map((r) => `${system.keyPrefix}rc:e:${cacheKeyFor(r.question, scope).entryId}`));
    expect(await cached(all.filter((r) => !r.violates))).toBe(REQUESTS - REQUESTS / 20);
    expect(await cached(all.filter((r) => r.violates))).toBe(0);

    // Revisions: one per violating answer, to its connection.
    const violating = all.filter((r) => r.violates);
    await waitFor(() => new Set(revisions.map((r) => r.frame.requestId)).size === violating.length, { timeoutMs: 5000 });
    await revisionFeed.close();
    expect(new Set(revisions.map((r) => r.frame.requestId))).toEqual(new Set(violating.map((r) => r.requestId)));
    expect(revisions.every((r) => !/090-1234/.test(r.frame.text) && r.connectionId.startsWith('conn-session-'))).toBe(true);

    const summary = {
      jobs: TOTAL,
      enqueueMs: Math.round(enqueuedMs),
      killedAtMs: Math.round(killedAtMs),
      completedAtKill: atKill.completed,
      inFlightAtKill: afterKill.active,
      totalMs: Math.round(elapsedMs),
      jobsPerSecond: Math.round(TOTAL / (elapsedMs / 1000)),
      reRunAfterKill: reRuns,
      failedAttempts,
      kinesisRecords: records.length,
      kinesisDuplicates: records.length - uniqueEvents.size,
      auditLines: audited.length,
      auditDuplicates: audited.length - uniqueAudited.size,
      revisions: revisions.length,
      revisionDuplicates: revisions.length - violating.length,
    };
    process.stdout.write(`post-processor kill/recovery: ${JSON.stringify(summary)}\n`);
    // The jobs in flight at the kill ran again (a job whose lock lapsed under load may add to them).
    expect(afterKill.active).toBeGreaterThan(0);
    expect(reRuns).toBeGreaterThanOrEqual(afterKill.active);
    expect(failedAttempts).toBe(0);
  });
});
