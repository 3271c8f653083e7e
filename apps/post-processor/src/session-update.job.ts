import type { JobHandler } from '@manga-assist/queue';
import type { SessionStore } from '@manga-assist/sessions';
import { Counter } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

export interface SessionUpdateJobDeps {
  sessions: SessionStore;
  registry: Registry;
}

/**
 * Stores the turn under its sequence number (DynamoDB row, then the session record with the last
 * turns and the rolling summary, then the Redis copy). A turn already stored, delivered late or
 * twice, changes nothing, so a job that runs again after a crash is harmless.
 */
export function createSessionUpdateJob({ sessions, registry }: SessionUpdateJobDeps): JobHandler<'session-update'> {
  const turns = new Counter({
    name: 'manga_assist_session_turns_total',
    help: 'Session turns stored, by whether they were new or a repeated delivery.',
    labelNames: ['result'],
    registers: [registry],
  });
  return async ({ sessionId, userId, turn, titleIds }) => {
    const { applied } = await sessions.appendTurn(sessionId, turn, { userId });
    turns.inc({ result: applied ? 'stored' : 'duplicate' });
    if (titleIds.length > 0) await sessions.recordInteraction(sessionId, titleIds, { userId });
    return { applied };
  };
}
