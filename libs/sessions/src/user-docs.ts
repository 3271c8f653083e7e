import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fromAttributeMap, toAttributeMap } from '@manga-assist/aws';
import { z } from 'zod';
import { CONFLICT, retryOnConflict } from './retry-on-conflict';
import { MAX_RECENT_TITLES, PreferencesSchema, TitleIdSchema, UserIdSchema } from './session.schema';
import type { Preferences } from './session.schema';
import { createSessionsTable } from './sessions-table';
import type { VersionedCache } from './versioned-cache';

/**
 * What a signed-in user carries from one session to the next. Each kind is its own item, so the
 * frequent recent-title writes never contend with preference changes.
 */
const USER_DOC_VALUES = {
  preferences: PreferencesSchema,
  recent: z.array(TitleIdSchema).max(MAX_RECENT_TITLES),
};
export type UserDocKind = keyof typeof USER_DOC_VALUES;
export interface UserDocValues {
  preferences: Preferences;
  recent: string[];
}
const EMPTY: UserDocValues = { preferences: {}, recent: [] };

const UserDocSchema = z.object({
  userId: UserIdSchema,
  version: z.number().int().nonnegative(),
  updatedAt: z.string(),
  ttl: z.number().int(),
  value: z.unknown(),
});

export interface UserDocsOptions {
  dynamo: DynamoDBClient;
  /** The sessions table: user items live beside sessions under `user#<userId>#<kind>`. */
  tableName: string;
  cache: VersionedCache;
  keyPrefix: string;
  ttlSeconds: number;
  maxWriteAttempts: number;
  nowMs: () => number;
}

export interface UserDocs {
  load<K extends UserDocKind>(userId: string, kind: K): Promise<UserDocValues[K]>;
  update<K extends UserDocKind>(
    userId: string,
    kind: K,
    change: (current: UserDocValues[K]) => UserDocValues[K],
  ): Promise<UserDocValues[K]>;
}

export function createUserDocs(options: UserDocsOptions): UserDocs {
  const { cache, keyPrefix, ttlSeconds, maxWriteAttempts, nowMs } = options;
  const table = createSessionsTable({ dynamo: options.dynamo, tableName: options.tableName });
  const itemKey = (userId: string, kind: UserDocKind): string => `user#${userId}#${kind}`;
  const cacheKey = (userId: string, kind: UserDocKind): string => `${keyPrefix}user:${userId}:${kind}`;
  const nowSeconds = (): number => Math.floor(nowMs() / 1000);

  type Doc<K extends UserDocKind> = z.infer<typeof UserDocSchema> & { value: UserDocValues[K] };
  const parse = <K extends UserDocKind>(kind: K, raw: unknown): Doc<K> => {
    const doc = UserDocSchema.parse(raw);
    return { ...doc, value: USER_DOC_VALUES[kind].parse(doc.value) as UserDocValues[K] };
  };

  const read = async <K extends UserDocKind>(userId: string, kind: K, consistent: boolean) => {
    const item = await table.get(itemKey(userId, kind), { consistent });
    if (item === undefined) return { doc: undefined, storedVersion: null };
    const doc = parse(kind, fromAttributeMap(item));
    return { doc: doc.ttl > nowSeconds() ? doc : undefined, storedVersion: doc.version };
  };

  return {
    async load(userId, kind) {
      const id = UserIdSchema.parse(userId);
      const cached = await cache.get(cacheKey(id, kind));
      if (cached !== undefined) {
        // Anything unexpected in the cache is a miss, never an error.
        const doc = UserDocSchema.safeParse(cached);
        const value = doc.success && doc.data.ttl > nowSeconds() ? USER_DOC_VALUES[kind].safeParse(doc.data.value) : undefined;
        if (value?.success) return value.data as UserDocValues[typeof kind];
      }
      const { doc } = await read(id, kind, false);
      if (doc === undefined) {
        // Most users never set preferences: their absence is cached too (as version 0, which any
        // write replaces), so a connection does not cost a DynamoDB read per part.
        await cache.put(cacheKey(id, kind), 0, { userId: id, version: 0, updatedAt: new Date(nowMs()).toISOString(), ttl: nowSeconds() + ttlSeconds, value: EMPTY[kind] });
        return EMPTY[kind];
      }
      await cache.put(cacheKey(id, kind), doc.version, doc);
      return doc.value;
    },

    async update(userId, kind, change) {
      const id = UserIdSchema.parse(userId);
      return retryOnConflict(`user ${id} ${kind}`, maxWriteAttempts, async () => {
        const { doc, storedVersion } = await read(id, kind, true);
        const value = USER_DOC_VALUES[kind].parse(change(doc?.value ?? EMPTY[kind])) as UserDocValues[typeof kind];
        if (doc !== undefined && JSON.stringify(value) === JSON.stringify(doc.value)) return value;
        const next = {
          userId: id,
          version: (storedVersion ?? 0) + 1,
          updatedAt: new Date(nowMs()).toISOString(),
          ttl: nowSeconds() + ttlSeconds,
          value,
        };
        const written = await table.putIfVersion(
          toAttributeMap({ sessionId: itemKey(id, kind), kind, ...next }),
          storedVersion,
        );
        if (!written) return CONFLICT;
        await cache.put(cacheKey(id, kind), next.version, next);
        return value;
      });
    },
  };
}
