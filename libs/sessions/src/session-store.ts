import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '@manga-assist/aws';
import { ChatTurnSchema } from '@manga-assist/contracts';
import type { ChatTurn } from '@manga-assist/contracts';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { addTurn, rebuildConversation } from './conversation';
import { loadSessionContext } from './load-context';
import type { SessionContext } from './load-context';
import { applyPreferencesPatch, mergeRecentTitles, samePreferences } from './preferences';
import { CONFLICT, retryOnConflict } from './retry-on-conflict';
import { addSeq, hasSeq } from './seq-set';
import { emptySessionRecord, fromSessionItem, sessionView, toSessionItem } from './session-record';
import type { SessionRecord } from './session-record';
import { PreferencesPatchSchema, SessionIdSchema, SessionSchema, TitleIdSchema, UserIdSchema } from './session.schema';
import type { LoadSource, PreferencesPatch, Session } from './session.schema';
import { createSessionsTable } from './sessions-table';
import { createTurnsTable } from './turns-table';
import { createUserDocs } from './user-docs';
import { createVersionedCache } from './versioned-cache';

const DAY_SECONDS = 24 * 60 * 60;

export interface SessionStoreOptions {
  dynamo: DynamoDBClient;
  /** A request-path connection (fails fast while Redis is down); the store never closes it. */
  redis: Redis;
  /** Table names, e.g. from tableDefinitions(prefix). */
  tables: { sessions: string; turns: string };
  /** Prefix of every Redis key the store writes. */
  keyPrefix?: string;
  /** How long a session stays in Redis after it was read or written. */
  cacheTtlSeconds?: number;
  /** How long a session lives after its last write (its `ttl`). */
  sessionTtlSeconds?: number;
  /** How long a user's preferences and recent titles live after their last change. */
  userTtlSeconds?: number;
  /** Turns kept verbatim; older ones are folded into the summary. */
  maxTurns?: number;
  /** Stored JSON larger than this many bytes is gzip'd. */
  compressOverBytes?: number;
  /** Conditional writes tried before giving up on a contended session. */
  maxWriteAttempts?: number;
  log: Logger;
  /** Clock, epoch milliseconds. */
  now?: () => number;
}

export interface LoadResult {
  session: Session | null;
  source: LoadSource;
}

export interface AppendResult {
  /** False when the turn had already been taken in (a duplicate or late delivery). */
  applied: boolean;
  session: Session;
}

export interface WriteOptions {
  /** The signed-in user the session belongs to; recorded the first time it is given. */
  userId?: string;
}

export interface SessionStore {
  /** Redis first, then DynamoDB (which refills Redis); an expired session is no session. */
  load(sessionId: string): Promise<LoadResult>;
  /** Takes in one turn, at most once per seq, whatever order turns arrive in. */
  appendTurn(sessionId: string, turn: ChatTurn, options?: WriteOptions): Promise<AppendResult>;
  /** Changes the session's preferences (and the user's, when the session has a user). */
  updatePreferences(sessionId: string, patch: PreferencesPatch, options?: WriteOptions): Promise<Session>;
  /** Puts `titleIds` (newest first) at the front of the recent titles of the session and its user. */
  recordInteraction(sessionId: string, titleIds: readonly string[], options?: WriteOptions): Promise<Session>;
  /**
   * Everything the gateway prefetches on connect, read in parallel; a failing part is reported, not
   * thrown. `newSession`: the id was made just now, so no session can exist under it and none is read.
   */
  loadContext(sessionId: string, userId?: string, options?: { newSession?: boolean }): Promise<SessionContext>;
}

export function createSessionStore({
  dynamo,
  redis,
  tables,
  keyPrefix = 'ma:',
  cacheTtlSeconds = 300,
  sessionTtlSeconds = 7 * DAY_SECONDS,
  userTtlSeconds = 90 * DAY_SECONDS,
  maxTurns = 5,
  compressOverBytes = 4096,
  maxWriteAttempts = 10,
  log,
  now = Date.now,
}: SessionStoreOptions): SessionStore {
  const cache = createVersionedCache({ redis, ttlSeconds: cacheTtlSeconds, compressOverBytes, log });
  const sessions = createSessionsTable({ dynamo, tableName: tables.sessions });
  const turns = createTurnsTable({ dynamo, tableName: tables.turns });
  const users = createUserDocs({
    dynamo,
    tableName: tables.sessions,
    cache,
    keyPrefix,
    ttlSeconds: userTtlSeconds,
    maxWriteAttempts,
    nowMs: now,
  });
  const nowSeconds = (): number => Math.floor(now() / 1000);
  const cacheKey = (sessionId: string): string => `${keyPrefix}session:${sessionId}`;

  /** The stored session (null when absent or expired) and the version a write must expect. */
  async function readRecord(sessionId: string, consistent: boolean) {
    const item = await sessions.get(sessionId, { consistent });
    if (item === undefined) return { record: null, storedVersion: null };
    const record = fromSessionItem(item);
    return { record: record.ttl > nowSeconds() ? record : null, storedVersion: record.version };
  }

  /**
   * Read-modify-write of one session under optimistic concurrency. `change` gets the current
   * record (an empty one when there is none) and returns the next, or null to leave it as it is.
   */
  async function mutate(
    sessionId: string,
    change: (current: SessionRecord) => Promise<SessionRecord | null>,
  ): Promise<{ session: Session; written: boolean }> {
    return retryOnConflict(`session ${sessionId}`, maxWriteAttempts, async () => {
      const { record, storedVersion } = await readRecord(sessionId, true);
      const current = record ?? emptySessionRecord(sessionId);
      const changed = await change(current);
      if (changed === null) return { session: sessionView(current), written: false };
      const next: SessionRecord = {
        ...changed,
        version: (storedVersion ?? 0) + 1,
        updatedAt: new Date(now()).toISOString(),
        ttl: nowSeconds() + sessionTtlSeconds,
      };
      if (!(await sessions.putIfVersion(toSessionItem(next, compressOverBytes), storedVersion))) return CONFLICT;
      const session = sessionView(next);
      await cache.put(cacheKey(sessionId), session.version, session);
      return { session, written: true };
    });
  }

  function withUser(current: SessionRecord, userId: string | undefined): SessionRecord {
    if (userId === undefined || current.userId === userId) return current;
    if (current.userId !== undefined) {
      throw new Error(`session ${current.sessionId} belongs to another user`);
    }
    return { ...current, userId };
  }

  async function load(sessionId: string): Promise<LoadResult> {
    const id = SessionIdSchema.parse(sessionId);
    const cached = await cache.get(cacheKey(id));
    if (cached !== undefined) {
      const session = SessionSchema.safeParse(cached);
      if (session.success && session.data.ttl > nowSeconds()) return { session: session.data, source: 'redis' };
    }
    const { record } = await readRecord(id, false);
    if (record === null) return { session: null, source: 'none' };
    const session = sessionView(record);
    await cache.put(cacheKey(id), session.version, session);
    return { session, source: 'dynamodb' };
  }

  return {
    load,

    async appendTurn(sessionId, input, options = {}) {
      const id = SessionIdSchema.parse(sessionId);
      const turn = ChatTurnSchema.parse(input);
      const userId = UserIdSchema.optional().parse(options.userId);
      let stored: ChatTurn | undefined;
      const { session, written } = await mutate(id, async (current) => {
        const owned = withUser(current, userId);
        if (hasSeq(owned.conversation.seqs, turn.seq)) return null;
        // The row first: once it is stored the turn cannot be lost, whatever happens to this write.
        if (stored === undefined) {
          const nowS = nowSeconds();
          const isNew = await turns.put(id, turn, nowS + sessionTtlSeconds, nowS);
          // A stored duplicate not yet taken in (its writer failed midway): take in what is stored.
          stored = isNew ? turn : ((await turns.get(id, turn.seq, nowS)) ?? turn);
        }
        let conversation = addTurn(owned.conversation, stored, maxTurns);
        if (conversation === null) {
          // A late turn below the window: fold everything again, in seq order, from the rows.
          const seqs = addSeq(owned.conversation.seqs, turn.seq);
          conversation = rebuildConversation(await turns.list(id, nowSeconds()), seqs, maxTurns);
          log.info({ sessionId: id, seq: turn.seq }, 'rebuilt session summary after a late turn');
        }
        return { ...owned, conversation };
      });
      return { applied: written, session };
    },

    async updatePreferences(sessionId, input, options = {}) {
      const id = SessionIdSchema.parse(sessionId);
      const patch = PreferencesPatchSchema.parse(input);
      const userId = UserIdSchema.optional().parse(options.userId);
      const { session } = await mutate(id, async (current) => {
        const owned = withUser(current, userId);
        const preferences = applyPreferencesPatch(owned.preferences, patch);
        if (owned === current && samePreferences(preferences, current.preferences)) return null;
        return { ...owned, preferences };
      });
      if (session.userId !== undefined) {
        await users.update(session.userId, 'preferences', (current) => applyPreferencesPatch(current, patch));
      }
      return session;
    },

    async recordInteraction(sessionId, input, options = {}) {
      const id = SessionIdSchema.parse(sessionId);
      const titleIds = z.array(TitleIdSchema).parse(input);
      const userId = UserIdSchema.optional().parse(options.userId);
      const { session } = await mutate(id, async (current) => {
        const owned = withUser(current, userId);
        const recentTitleIds = mergeRecentTitles(owned.recentTitleIds, titleIds);
        if (owned === current && recentTitleIds.join('\n') === current.recentTitleIds.join('\n')) return null;
        return { ...owned, recentTitleIds };
      });
      if (session.userId !== undefined && titleIds.length > 0) {
        await users.update(session.userId, 'recent', (current) => mergeRecentTitles(current, titleIds));
      }
      return session;
    },

    loadContext(sessionId, userId, options) {
      return loadSessionContext({
        sessionId,
        userId,
        loadSession: options?.newSession ? async () => ({ session: null, source: 'none' }) : load,
        loadPreferences: (user) => users.load(user, 'preferences'),
        loadRecentTitles: (user) => users.load(user, 'recent'),
      });
    },
  };
}
