export { createSessionStore } from './session-store';
export type {
  AppendResult,
  LoadResult,
  SessionStore,
  SessionStoreOptions,
  WriteOptions,
} from './session-store';
export type { ContextPart, SessionContext } from './load-context';
export {
  LOAD_SOURCES,
  MAX_RECENT_TITLES,
  PreferencesPatchSchema,
  PreferencesSchema,
  SessionIdSchema,
  SessionSchema,
} from './session.schema';
export type { LoadSource, Preferences, PreferencesPatch, Session } from './session.schema';
export { MAX_SUMMARY_CHARS } from './rolling-summary';
export { cacheFrameEncoding, unframeCacheValue } from './cache-frame';
export type { CacheFrame } from './cache-frame';
export { createTurnSequence } from './turn-sequence';
export type { TurnSequence } from './turn-sequence';
