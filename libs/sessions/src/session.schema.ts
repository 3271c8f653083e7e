import { z } from 'zod';
import { ChatTurnSchema } from '@manga-assist/contracts';

/** How many recently viewed titles a session (and a user) keeps, newest first. */
export const MAX_RECENT_TITLES = 20;

/**
 * Session ids are opaque, but restricted to URL-safe characters: `#` never appears in one, so the
 * per-user items that share the sessions table (`user#…`) cannot collide with a session.
 */
export const SessionIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:-]+$/, 'letters, digits, _ . : - only');

export const UserIdSchema = SessionIdSchema;

export const TitleIdSchema = z.string().min(1).max(128);

// Preferences are part of the wire protocol (the setPreferences action): their schemas live in contracts.
import { PreferencesSchema } from '@manga-assist/contracts';
export { PreferencesPatchSchema, PreferencesSchema } from '@manga-assist/contracts';
export type { Preferences, PreferencesPatch } from '@manga-assist/contracts';

export const SessionSchema = z.object({
  sessionId: SessionIdSchema,
  userId: UserIdSchema.optional(),
  /** Bumped by every write; writes are conditional on it (optimistic concurrency). */
  version: z.number().int().nonnegative(),
  /** Every turn from 1 to lastSeq has been taken in; a delivery at or below it changes nothing. */
  lastSeq: z.number().int().nonnegative(),
  /** The most recent turns, oldest first (at most the store's maxTurns). */
  turns: z.array(ChatTurnSchema),
  /** Extractive summary of every turn older than `turns`; empty until one falls out. */
  summary: z.string(),
  preferences: PreferencesSchema,
  /** Titles the user interacted with, newest first, no duplicates. */
  recentTitleIds: z.array(TitleIdSchema).max(MAX_RECENT_TITLES),
  updatedAt: z.iso.datetime(),
  /** Expiry, epoch seconds; DynamoDB TTL deletes the item some time after it. */
  ttl: z.number().int().positive(),
});
export type Session = z.infer<typeof SessionSchema>;

export const LOAD_SOURCES = ['redis', 'dynamodb', 'none'] as const;
export type LoadSource = (typeof LOAD_SOURCES)[number];
