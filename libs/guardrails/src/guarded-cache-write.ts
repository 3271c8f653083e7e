import type { CacheWrite, CacheWriteResult, ResponseCache } from '@manga-assist/cache';
import type { RemoteGuardrail } from './bedrock-guardrail';
import type { Guardrails } from './create-guardrails';

/**
 * What became of an answer offered to the shared response cache: `written`; `too_large` (over the
 * cache's size cap); `withheld` (a guardrail would revise or block it); `unchecked` (the managed
 * guardrail could not be reached); `skipped` (empty, or no TTL).
 */
export type GuardedWriteResult = CacheWriteResult | 'withheld' | 'unchecked' | 'skipped';

export interface GuardedCacheWriter {
  write(entry: CacheWrite): Promise<GuardedWriteResult>;
}

export interface GuardedCacheWriterDeps {
  cache: Pick<ResponseCache, 'write'>;
  /** The in-process tiers. */
  guardrails: Guardrails;
  /** Bedrock ApplyGuardrail, when configured: what it would block is not cached, nor anything while it cannot be reached. */
  remote?: RemoteGuardrail;
}

/**
 * The one way into the shared response cache. A cached answer is served to everyone who asks next,
 * without another check, so every writer (the post-processor's cache-write job, the scheduler's
 * pre-computed answers) passes the same gate: the in-process tiers, then the managed guardrail
 * when there is one, then the cache's own size cap and TTL.
 */
export function createGuardedCacheWriter({ cache, guardrails, remote }: GuardedCacheWriterDeps): GuardedCacheWriter {
  return {
    async write(entry) {
      if (entry.answer.length === 0 || entry.ttlSeconds <= 0) return 'skipped';
      if (!guardrails.evaluate({ question: entry.question, answer: entry.answer, intent: entry.scope.intent }).ok) return 'withheld';
      if (remote) {
        const assessment = await remote.assess(entry.answer).catch(() => null);
        if (assessment === null) return 'unchecked';
        if (assessment.intervened) return 'withheld';
      }
      return cache.write(entry);
    },
  };
}
