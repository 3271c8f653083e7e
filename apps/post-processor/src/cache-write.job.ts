import type { ResponseCache } from '@manga-assist/cache';
import type { Guardrails, RemoteGuardrail } from '@manga-assist/guardrails';
import type { JobHandler } from '@manga-assist/queue';
import { Counter } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

export interface CacheWriteJobDeps {
  /** Only writes: the post-processor never reads the cache. */
  cache: Pick<ResponseCache, 'write'>;
  /** An answer the guardrails would revise is not cached (it would be served to everyone who asks next). */
  guardrails: Guardrails;
  /**
   * The managed guardrail, when configured: what it would block is not cached either, and while it
   * cannot be reached nothing is cached (an unchecked answer must not be served to everyone).
   */
  remote?: RemoteGuardrail;
  registry: Registry;
}

/**
 * Writes the answer into the response cache (exact key + semantic index, with its TTL; entries
 * over the size cap are skipped). The cache write and the guardrail check of an answer run side by
 * side, and a cached answer is not checked again, so the answer is checked here too (tier 1 and 2
 * take well under a millisecond) and one that violates is not cached. A failure is counted and
 * retried; the user never sees it: the next identical question simply goes to the model again.
 */
export function createCacheWriteJob({ cache, guardrails, remote, registry }: CacheWriteJobDeps): JobHandler<'cache-write'> {
  const failures = new Counter({
    name: 'cache_write_failures_total',
    help: 'Response cache writes that failed (retried; never seen by the user).',
    registers: [registry],
  });
  const written = new Counter({
    name: 'manga_assist_cache_writes_total',
    help: 'Response cache writes by result: written, too_large (over the size cap), withheld (the guardrails would revise the answer) or unchecked (the managed guardrail could not be reached).',
    labelNames: ['result'],
    registers: [registry],
  });
  return async ({ question, answer, model, scope, ttlSeconds, createdAt }) => {
    if (!guardrails.evaluate({ question, answer, intent: scope.intent }).ok) {
      written.inc({ result: 'withheld' });
      return { result: 'withheld' };
    }
    if (remote) {
      const assessment = await remote.assess(answer).catch(() => null);
      if (assessment === null || assessment.intervened) {
        const result = assessment === null ? 'unchecked' : 'withheld';
        written.inc({ result });
        return { result };
      }
    }
    try {
      const result = await cache.write({ question, answer, model, scope, ttlSeconds, createdAt });
      written.inc({ result });
      return { result };
    } catch (error) {
      failures.inc();
      throw error;
    }
  };
}
