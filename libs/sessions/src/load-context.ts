import { performance } from 'node:perf_hooks';
import { mergeRecentTitles } from './preferences';
import type { LoadSource, Preferences, Session } from './session.schema';

export type ContextPart = 'session' | 'preferences' | 'recentInteractions';

/** What the gateway holds per connection so the first message finds everything warm. */
export interface SessionContext {
  sessionId: string;
  userId?: string;
  session: Session | null;
  /** Where the session came from; absent when its part failed. */
  source?: LoadSource;
  /** The user's preferences overlaid with the session's own. */
  preferences: Preferences;
  /** Newest first: the session's, then the user's from earlier sessions. */
  recentTitleIds: string[];
  /** Milliseconds per part (0 for a part with nothing to read) and for the whole. */
  timings: Record<ContextPart | 'total', number>;
  errors: Array<{ part: ContextPart; message: string }>;
}

export interface LoadContextParts {
  sessionId: string;
  userId?: string;
  loadSession(sessionId: string): Promise<{ session: Session | null; source: LoadSource }>;
  loadPreferences(userId: string): Promise<Preferences>;
  loadRecentTitles(userId: string): Promise<string[]>;
}

type Outcome<T> = { ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number };

async function timed<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  const start = performance.now();
  try {
    const value = await run();
    return { ok: true, value, ms: performance.now() - start };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - start };
  }
}

const NOTHING = Promise.resolve<Outcome<undefined>>({ ok: true, value: undefined, ms: 0 });

/**
 * The parts are read at once, not one after another: the whole takes as long as the slowest
 * part. Without a user there is nothing beyond the session to read.
 */
export async function loadSessionContext(parts: LoadContextParts): Promise<SessionContext> {
  const { sessionId, userId } = parts;
  const start = performance.now();
  const [session, preferences, recent] = await Promise.all([
    timed(() => parts.loadSession(sessionId)),
    userId === undefined ? NOTHING : timed(() => parts.loadPreferences(userId)),
    userId === undefined ? NOTHING : timed(() => parts.loadRecentTitles(userId)),
  ]);
  const errors: SessionContext['errors'] = [];
  const value = <T>(part: ContextPart, outcome: Outcome<T>): T | undefined => {
    if (outcome.ok) return outcome.value;
    errors.push({ part, message: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) });
    return undefined;
  };
  const loaded = value('session', session);
  const userPreferences = value('preferences', preferences) ?? {};
  const userRecent = value('recentInteractions', recent) ?? [];
  const current = loaded?.session ?? null;
  return {
    sessionId,
    ...(userId === undefined ? {} : { userId }),
    session: current,
    ...(loaded === undefined ? {} : { source: loaded.source }),
    preferences: { ...userPreferences, ...current?.preferences },
    recentTitleIds: mergeRecentTitles(userRecent, current?.recentTitleIds ?? []),
    timings: {
      session: session.ms,
      preferences: preferences.ms,
      recentInteractions: recent.ms,
      total: performance.now() - start,
    },
    errors,
  };
}
