// What an operator sees of the queues: Prometheus metrics and the queue board.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureLocalIssuerKeys, mintLocalToken } from '@manga-assist/auth';
import type { AuditJob } from '@manga-assist/contracts';
import { waitFor } from '@manga-assist/testing';
import { CONTROL_TOKEN, startPostProcessorSystem } from './post-processor-system';
import type { PostProcessorSystem } from './post-processor-system';

jest.setTimeout(120_000);

const audit = (answer: string): AuditJob => ({
  traceId: randomBytes(16).toString('hex'),
  sessionId: 's-1',
  requestId: 'r-1',
  question: '連絡先は？',
  answer,
  model: 'haiku',
  at: new Date().toISOString(),
});

describe('queue visibility', () => {
  let system: PostProcessorSystem;
  // The local issuer whose tokens the post-processor verifies (as the gateway's).
  const keyDir = mkdtempSync(path.join(os.tmpdir(), 'manga-assist-auth-'));

  beforeAll(async () => {
    system = await startPostProcessorSystem({ AUTH_MODE: 'local', AUTH_LOCAL_KEY_DIR: keyDir });
    system.start();
    await system.ready();
    system.producer.enqueue('audit', audit('お問い合わせは 090-1234-5678 まで'));
    await waitFor(async () => (await system.queues.get('audit').getCompletedCount()) === 1, { timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await system?.stop();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('exports per-queue depth, counters and processing-time histograms that promtool accepts', async () => {
    const body = await (await fetch(`${system.url}/metrics`)).text();
    for (const queue of ['cache-write', 'session-update', 'guardrail-check', 'analytics', 'audit', 'answered-batch', 'dead-letter']) {
      expect(body).toContain(`manga_assist_queue_depth{queue="${queue}",state="waiting",app="post-processor"}`);
    }
    expect(body).toMatch(/^manga_assist_queue_depth\{queue="audit",state="completed",app="post-processor"\} 1$/m);
    expect(body).toMatch(/^manga_assist_jobs_completed_total\{queue="audit",app="post-processor"\} 1$/m);
    expect(body).toMatch(/^manga_assist_job_duration_seconds_count\{app="post-processor",queue="audit"\} 1$/m);
    for (const name of ['manga_assist_jobs_failed_total', 'manga_assist_jobs_dead_lettered_total', 'cache_write_failures_total', 'manga_assist_jobs_stalled_total']) {
      expect(body).toContain(`# TYPE ${name} counter`);
    }
    // promtool reads the exposition from stdin and exits non-zero on any problem.
    const report = execFileSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(report).toBe('');
  });

  it('serves a read-only queue board to anyone, with personal data in payloads redacted', async () => {
    const page = await fetch(`${system.url}/queues/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const queues = (await (await fetch(`${system.url}/queues/api/queues?activeQueue=audit&status=completed&page=1`)).json()) as {
      queues: { name: string; readOnlyMode: boolean; jobs: { data: AuditJob }[] }[];
    };
    expect(queues.queues.map((q) => q.name).sort()).toEqual(['analysis', 'analytics', 'answered-batch', 'audit', 'cache-write', 'dead-letter', 'guardrail-check', 'session-update', 'webhook-catalog', 'webhook-payments', 'webhook-reviews']);
    expect(queues.queues.every((q) => q.readOnlyMode)).toBe(true);
    const auditQueue = queues.queues.find((q) => q.name === 'audit')!;
    expect(auditQueue.jobs[0]!.data.answer).toBe('お問い合わせは [redacted phone] まで');
    const pause = await fetch(`${system.url}/queues/api/queues/audit/pause`, { method: 'PUT' });
    expect(pause.status).toBe(405);
    expect(await system.queues.get('audit').isPaused()).toBe(false);
  });

  it('opens the board with its controls only for the control token, then keeps the browser signed in by cookie', async () => {
    expect((await fetch(`${system.url}/queues/control/`)).status).toBe(401);
    expect((await fetch(`${system.url}/queues/control/?token=wrong-token-wrong-token`, { redirect: 'manual' })).status).toBe(401);

    const signIn = await fetch(`${system.url}/queues/control/?token=${CONTROL_TOKEN}`, { redirect: 'manual' });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/queues/control/');
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie).not.toContain(CONTROL_TOKEN);
    expect((await fetch(`${system.url}/queues/control/`, { headers: { cookie } })).status).toBe(200);

    const bearer = { authorization: `Bearer ${CONTROL_TOKEN}` };
    const queues = (await (await fetch(`${system.url}/queues/control/api/queues`, { headers: bearer })).json()) as { queues: { readOnlyMode: boolean }[] };
    expect(queues.queues.every((q) => !q.readOnlyMode)).toBe(true);
    expect((await fetch(`${system.url}/queues/control/api/queues/cache-write/pause`, { method: 'PUT', headers: { cookie } })).status).toBe(200);
    expect(await system.queues.get('cache-write').isPaused()).toBe(true);
    expect((await fetch(`${system.url}/queues/control/api/queues/cache-write/resume`, { method: 'PUT', headers: bearer })).status).toBe(200);
    expect(await system.queues.get('cache-write').isPaused()).toBe(false);
  });

  it('opens the controls to an admin’s token (bearer or sign-in link) and not to a plain user’s', async () => {
    const keys = await ensureLocalIssuerKeys(keyDir);
    const admin = await mintLocalToken(keys, 'olivia', { claims: { groups: ['admin'] } });
    const plain = await mintLocalToken(keys, 'peter');
    expect((await fetch(`${system.url}/queues/control/api/queues`, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);
    expect((await fetch(`${system.url}/queues/control/api/queues`, { headers: { authorization: `Bearer ${plain}` } })).status).toBe(401);
    expect((await fetch(`${system.url}/queues/control/?token=${plain}`, { redirect: 'manual' })).status).toBe(401);
    const signIn = await fetch(`${system.url}/queues/control/?token=${admin}`, { redirect: 'manual' });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie).not.toContain(admin);
    expect((await fetch(`${system.url}/queues/control/api/queues/cache-write/pause`, { method: 'PUT', headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${system.url}/queues/control/api/queues/cache-write/resume`, { method: 'PUT', headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);
    expect(await system.queues.get('cache-write').isPaused()).toBe(false);
  });
});
