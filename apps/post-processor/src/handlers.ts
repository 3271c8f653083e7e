import type { ResponseCache } from '@manga-assist/cache';
import type { JobHandler } from '@manga-assist/queue';
import type { SessionStore } from '@manga-assist/sessions';
import { Counter } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

export interface HandlerDeps {
  sessions: SessionStore;
  cache: ResponseCache;
  registry: Registry;
}

/** What each queue's jobs do. */
export function createHandlers({ sessions, cache, registry }: HandlerDeps) {
  const cacheWriteFailures = new Counter({
    name: 'cache_write_failures_total',
    help: 'Response cache writes that failed (retried; never seen by the user).',
    registers: [registry],
  });
  const turnsApplied = new Counter({
    name: 'manga_assist_session_turns_total',
    help: 'Session turns stored, by whether they were new or a repeated delivery.',
    labelNames: ['result'],
    registers: [registry],
  });

  const sessionUpdate: JobHandler<'session-update'> = async ({ sessionId, userId, turn, titleIds }) => {
    const { applied } = await sessions.appendTurn(sessionId, turn, { userId });
    turnsApplied.inc({ result: applied ? 'stored' : 'duplicate' });
    if (titleIds.length > 0) await sessions.recordInteraction(sessionId, titleIds, { userId });
    return { applied };
  };

  const cacheWrite: JobHandler<'cache-write'> = async ({ question, answer, model, scope, ttlSeconds, createdAt }) => {
    try {
      return await cache.write({ question, answer, model, scope, ttlSeconds, createdAt });
    } catch (error) {
      cacheWriteFailures.inc();
      throw error;
    }
  };

  return { 'session-update': sessionUpdate, 'cache-write': cacheWrite };
}
