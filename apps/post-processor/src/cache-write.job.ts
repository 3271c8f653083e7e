import type { GuardedCacheWriter } from '@manga-assist/guardrails';
import type { JobHandler } from '@manga-assist/queue';
import { Counter } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

export interface CacheWriteJobDeps {
  /**
   * The guarded way into the shared response cache (the guardrails lib): an answer the guardrails
   * would revise, or that the managed guardrail blocks or cannot check, is not cached.
   */
  writer: GuardedCacheWriter;
  registry: Registry;
}

/**
 * Writes the answer into the response cache (exact key + semantic index, with its TTL; entries
 * over the size cap are skipped). The cache write and the guardrail check of an answer run side by
 * side, and a cached answer is not checked again, so the writer checks it too (tier 1 and 2 take
 * well under a millisecond). A failure is counted and retried; the user never sees it: the next
 * identical question simply goes to the model again.
 */
export function createCacheWriteJob({ writer, registry }: CacheWriteJobDeps): JobHandler<'cache-write'> {
  const failures = new Counter({
    name: 'cache_write_failures_total',
    help: 'Response cache writes that failed (retried; never seen by the user).',
    registers: [registry],
  });
  const written = new Counter({
    name: 'manga_assist_cache_writes_total',
    help: 'Response cache writes by result: written, too_large (over the size cap), withheld (the guardrails would revise the answer), unchecked (the managed guardrail could not be reached) or skipped.',
    labelNames: ['result'],
    registers: [registry],
  });
  return async ({ question, answer, model, scope, ttlSeconds, createdAt }) => {
    try {
      const result = await writer.write({ question, answer, model, scope, ttlSeconds, createdAt });
      written.inc({ result });
      return { result };
    } catch (error) {
      failures.inc();
      throw error;
    }
  };
}
