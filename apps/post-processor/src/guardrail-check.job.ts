import type { Redis } from 'ioredis';
import type { Guardrails, RemoteGuardrail } from '@manga-assist/guardrails';
import type { JobHandler } from '@manga-assist/queue';
import { publishRevision } from '@manga-assist/revisions';
import { Counter, Histogram } from '@manga-assist/telemetry';
import type { Logger, Registry } from '@manga-assist/telemetry';

export interface GuardrailCheckJobDeps {
  guardrails: Guardrails;
  /** A managed guardrail (Bedrock ApplyGuardrail) run after the in-process tiers, when configured. */
  remote?: RemoteGuardrail;
  /** Publishes revisions and keeps the "already revised" markers. */
  redis: Redis;
  keyPrefix: string;
  registry: Registry;
  log: Pick<Logger, 'info' | 'warn'>;
}

/**
 * The full tiered evaluation of an answer that was streamed before it was checked. A violation
 * publishes the revised text to the connection's gateway instance, once per answer (a marker
 * keeps a re-run job from sending it again; a crash between publishing and the marker can only
 * send the same revision twice, which the client shows once).
 */
export function createGuardrailCheckJob({ guardrails, remote, redis, keyPrefix, registry, log }: GuardrailCheckJobDeps): JobHandler<'guardrail-check'> {
  const evaluation = new Histogram({
    name: 'manga_assist_guardrail_evaluation_seconds',
    help: 'Time the guardrail evaluation of one answer took: the in-process tiers by the highest that ran (1, 2), and the managed guardrail (bedrock).',
    labelNames: ['tiers'],
    // Up to 1 s: the alert rules flag a p95 over 100 ms, which needs buckets above it.
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const violations = new Counter({
    name: 'manga_assist_guardrail_violations_total',
    help: 'Violations found in streamed answers, by rule and by the tier that decided.',
    labelNames: ['rule', 'tier'],
    registers: [registry],
  });
  const revisions = new Counter({
    name: 'manga_assist_revisions_published_total',
    help: 'Revisions published to gateway instances, by whether any instance was listening.',
    labelNames: ['listeners'],
    registers: [registry],
  });
  const remoteFailures = new Counter({
    name: 'manga_assist_guardrail_remote_failures_total',
    help: 'Managed guardrail calls that failed or timed out; the in-process verdict stood alone.',
    registers: [registry],
  });
  const markerKey = (traceId: string) => `${keyPrefix}guardrail:revised:${traceId}`;

  /** The managed guardrail's verdict, or null when it passed the answer or could not be reached. */
  async function assessRemotely(traceId: string, answer: string): Promise<{ revision: string; policies: string[] } | null> {
    if (!remote) return null;
    const started = performance.now();
    try {
      const assessment = await remote.assess(answer);
      evaluation.observe({ tiers: 'bedrock' }, (performance.now() - started) / 1000);
      if (!assessment.intervened || assessment.output === null) return null;
      for (const policy of assessment.policies) violations.inc({ rule: policy, tier: 'bedrock' });
      return { revision: assessment.output, policies: assessment.policies };
    } catch (error) {
      // Post-hoc and best effort: a guardrail outage must neither hold back the in-process revision
      // nor fill the dead-letter queue with answers that were already checked in process.
      remoteFailures.inc();
      log.warn({ traceId, err: (error as Error).message }, 'managed guardrail unavailable: the in-process verdict stands alone');
      return null;
    }
  }

  return async ({ traceId, connectionId, requestId, intent, question, answer }) => {
    // A re-run of an answer already revised: its revision went out, and the managed guardrail
    // (billed per call) is not asked again.
    if (remote && connectionId !== null && (await redis.exists(markerKey(traceId))) === 1) return { ok: false, revised: true };
    const started = performance.now();
    const verdict = guardrails.evaluate({ question, answer, intent });
    evaluation.observe({ tiers: String(verdict.tiers) }, (performance.now() - started) / 1000);
    const managed = await assessRemotely(traceId, answer);
    // The managed guardrail's text replaces the whole answer (its blocked message or the answer
    // with masks), so it wins over the in-process remedy.
    const revision = managed?.revision ?? verdict.revision;
    if (revision === null) return { ok: true, tiers: verdict.tiers };

    for (const v of verdict.violations) violations.inc({ rule: v.rule, tier: String(v.tier) });
    // Rules and kinds only: the matched values are what must not spread.
    const found = [...verdict.violations.map((v) => `${v.rule}:${v.detail}`), ...(managed?.policies.map((p) => `bedrock:${p}`) ?? [])];
    if (connectionId === null) {
      log.info({ traceId, requestId, violations: found }, 'guardrail violation in an HTTP answer: nothing to revise');
      return { ok: false, revised: false };
    }
    if ((await redis.exists(markerKey(traceId))) === 1) return { ok: false, revised: true };
    const listeners = await publishRevision(redis, keyPrefix, connectionId, { type: 'revision', requestId, text: revision });
    revisions.inc({ listeners: listeners > 0 ? 'some' : 'none' });
    await redis.set(markerKey(traceId), '1', 'EX', 24 * 3600);
    log.info({ traceId, requestId, connectionId, violations: found, listeners }, 'guardrail violation: revision published');
    return { ok: false, revised: true, listeners };
  };
}
