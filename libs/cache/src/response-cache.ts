import { gunzipSync, gzipSync } from 'node:zlib';
import type { Redis } from 'ioredis';
import type { CacheScope, ModelProfile } from '@manga-assist/contracts';
import { cacheKeyFor } from './cache-key';
import type { CacheKey } from './cache-key';
import { createLocalEntries } from './local-entries';
import type { LocalEntries, LocalEntriesLogger } from './local-entries';
import { cosine, createLsh } from './lsh';
import type { Registry } from '@manga-assist/telemetry';

export interface CacheLogger {
  warn(obj: object, msg?: string): void;
}

export interface ResponseCacheOptions {
  redis: Redis;
  /** Must be the same embedder wherever the cache is read or written. */
  embed(text: string): Float32Array;
  dimensions: number;
  keyPrefix?: string;
  /** Cosine similarity at or above which a different phrasing counts as the same question. */
  threshold?: number;
  /** Entries larger than this (encoded) are not cached. */
  maxEntryBytes?: number;
  /** Upper bound on entries fetched per semantic lookup. */
  maxCandidates?: number;
  log?: CacheLogger;
  /**
   * Hold exact entries in process memory, invalidated by Redis (see `createLocalEntries`): a
   * repeated question is then answered with no round trip. For readers on the request path (the
   * gateway); writers leave it unset.
   */
  local?: { maxBytes: number; log?: LocalEntriesLogger; registry?: Registry };
}

export interface CacheHit {
  kind: 'exact' | 'semantic';
  /** Written ahead of any question by the prefetch scheduler, not as the answer to one. */
  precomputed: boolean;
  answer: string;
  model: ModelProfile;
  similarity: number;
  question: string;
  createdAt: string;
}

export interface CacheWrite {
  question: string;
  answer: string;
  model: ModelProfile;
  scope: CacheScope;
  ttlSeconds: number;
  createdAt?: string;
  /** Written ahead by the prefetch scheduler (the ops page tells these hits apart). */
  precomputed?: boolean;
}

export type CacheWriteResult = 'written' | 'too_large';

export interface ResponseCache {
  /** The exact entry when it is held in process memory (no Redis call at all), else null. */
  held(question: string, scope: CacheScope): CacheHit | null;
  /** Asks Redis (call `held` first to skip the round trip for an entry already in memory). */
  lookup(question: string, scope: CacheScope): Promise<CacheHit | null>;
  write(entry: CacheWrite): Promise<CacheWriteResult>;
  /**
   * Holds the exact entry in this process's memory at once, before whoever writes it to Redis
   * has done so, so that a repeat of the question is a hit here meanwhile. True when held (only
   * with `local`, while its invalidations arrive); Redis's own write later replaces it.
   */
  holdLocally(entry: CacheWrite): boolean;
  /** Stops tracking invalidations (the Redis connection itself belongs to the caller). */
  close(): Promise<void>;
}

interface StoredEntry {
  q: string;
  n: string;
  a: string;
  m: ModelProfile;
  t: string;
  v: string;
  /** 1 when pre-computed; absent otherwise (entries written before it existed read as not). */
  p?: 1;
}

const RAW = 0x00;
const GZIP = 0x01;
const COMPRESS_OVER = 1024;

function encode(entry: StoredEntry): Buffer {
  const json = Buffer.from(JSON.stringify(entry));
  return json.length > COMPRESS_OVER
    ? Buffer.concat([Buffer.of(GZIP), gzipSync(json, { level: 4 })])
    : Buffer.concat([Buffer.of(RAW), json]);
}

function decode(buffer: Buffer): StoredEntry {
  const body = buffer.subarray(1);
  return JSON.parse((buffer[0] === GZIP ? gunzipSync(body) : body).toString('utf8')) as StoredEntry;
}

const toBase64 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
const fromBase64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

/**
 * KEYS[1]: the exact entry; KEYS[2..]: the question's LSH buckets. ARGV: entry key prefix, most
 * candidates, the exact entry's id. Returns {exact entry, its PTTL} when it exists, else
 * {false, -2, candidate entries…}: the entries sharing the most buckets, best first.
 * The candidates' keys are derived inside the script, so the cache needs one Redis node (or a
 * cluster with the whole prefix in one slot).
 */
const LOOKUP_SCRIPT = `
local exact = redis.call('GET', KEYS[1])
if exact then return {exact, redis.call('PTTL', KEYS[1])} end
local votes, ids = {}, {}
for i = 2, #KEYS do
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    if id ~= ARGV[3] then
      if votes[id] then votes[id] = votes[id] + 1 else votes[id] = 1; ids[#ids + 1] = id end
    end
  end
end
table.sort(ids, function(a, b) if votes[a] ~= votes[b] then return votes[a] > votes[b] end return a < b end)
local out = {false, -2}
for i = 1, math.min(#ids, tonumber(ARGV[2])) do out[#out + 1] = redis.call('GET', ARGV[1] .. ids[i]) end
return out
`;

/** The set of entry ids whose scope named a title, so a catalog change can find them. */
const titleSetKey = (keyPrefix: string, titleId: string) => `${keyPrefix}t:${titleId}`;

/**
 * Deletes every cached answer whose scope named one of `titleIds` (its price, stock or text
 * changed) and returns how many were deleted. Gateways holding an entry in memory drop it on
 * Redis's invalidation. `keyPrefix` is the cache's own (`createResponseCache`'s).
 */
export async function invalidateCachedTitles(redis: Redis, keyPrefix: string, titleIds: readonly string[]): Promise<number> {
  if (titleIds.length === 0) return 0;
  const read = redis.multi();
  for (const id of titleIds) read.smembers(titleSetKey(keyPrefix, id));
  const replies = (await read.exec()) ?? [];
  const entryIds = new Set(replies.flatMap(([, members]) => (Array.isArray(members) ? (members as string[]) : [])));
  const write = redis.multi();
  if (entryIds.size > 0) write.del(...[...entryIds].map((id) => `${keyPrefix}e:${id}`));
  write.del(...titleIds.map((id) => titleSetKey(keyPrefix, id)));
  const [deleted] = (await write.exec()) ?? [];
  return entryIds.size > 0 ? Number(deleted?.[1] ?? 0) : 0;
}

type LookupReply = [Buffer | null, number, ...(Buffer | null)[]];
interface ScriptedRedis extends Redis {
  mangaAssistCacheLookupBuffer(numberOfKeys: number, ...args: (string | number)[]): Promise<LookupReply>;
}

/**
 * The response cache. `held` answers from memory (no Redis call) when the exact entry is held;
 * `lookup` costs one Redis round trip (one script: the exact entry, else the LSH buckets and their
 * best candidates) and, with `local`, keeps the exact entry it read. Lookups are scoped, so a
 * question can only reuse an answer given for the same intent, filters, titles (in order) and
 * language: "A vs B" never gets the answer to "B vs A", "under ¥500" never the one for "over ¥500".
 */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { redis, embed, keyPrefix = 'ma:rc:', threshold = 0.85, maxEntryBytes = 64 * 1024, maxCandidates = 24 } = options;
  const lsh = createLsh({ dimensions: options.dimensions });
  // EVALSHA, loading the script on NOSCRIPT (ioredis); defining it again on a shared connection is harmless.
  redis.defineCommand('mangaAssistCacheLookup', { lua: LOOKUP_SCRIPT });
  const entryKey = (id: string) => `${keyPrefix}e:${id}`;
  const bucketKey = (scopeHash: string, signature: string) => `${keyPrefix}b:${scopeHash}:${signature}`;
  const titleKey = (titleId: string) => titleSetKey(keyPrefix, titleId);
  const local: LocalEntries<StoredEntry> | undefined = options.local
    ? createLocalEntries({ redis, prefix: `${keyPrefix}e:`, decode, ...options.local })
    : undefined;
  // The gateway asks `held` and then, on a miss, `lookup` for the same question and scope: the
  // key (two hashes) is derived once per question, not twice.
  let last: { question: string; scope: CacheScope; key: CacheKey } | undefined;
  const keyOf = (question: string, scope: CacheScope): CacheKey => {
    if (last?.question !== question || last.scope !== scope) last = { question, scope, key: cacheKeyFor(question, scope) };
    return last.key;
  };
  const exactHit = (entry: StoredEntry | null | undefined, normalized: string): CacheHit | null =>
    entry && entry.n === normalized ? { kind: 'exact', precomputed: entry.p === 1, answer: entry.a, model: entry.m, similarity: 1, question: entry.q, createdAt: entry.t } : null;

  return {
    held(question, scope) {
      if (!local?.live) return null;
      const key = keyOf(question, scope);
      return exactHit(local.held(entryKey(key.entryId)), key.normalized);
    },

    async lookup(question, scope) {
      const key = keyOf(question, scope);
      const exactKey = entryKey(key.entryId);
      // One round trip, one script: the exact entry (most hits are the same question again), else
      // the entries sharing the most LSH buckets with the question within its scope.
      const vector = embed(question);
      const buckets = lsh.signatures(vector).map((signature) => bucketKey(key.scopeHash, signature));
      const settle = local?.track(exactKey);
      let reply: LookupReply;
      try {
        reply = await (redis as ScriptedRedis).mangaAssistCacheLookupBuffer(1 + buckets.length, exactKey, ...buckets, `${keyPrefix}e:`, maxCandidates, key.entryId);
      } catch (error) {
        settle?.(null, -2);
        throw error;
      }
      const [exact, pttl, ...candidates] = reply;
      const exactEntry = settle ? settle(exact, pttl) : exact ? decode(exact) : null;
      if (exactEntry) return exactHit(exactEntry, key.normalized);

      let best: CacheHit | null = null;
      for (const value of candidates) {
        if (!value) continue; // expired since it was bucketed
        const entry = decode(value);
        const similarity = cosine(vector, fromBase64(entry.v));
        if (similarity >= threshold && (!best || similarity > best.similarity)) {
          best = { kind: 'semantic', precomputed: entry.p === 1, answer: entry.a, model: entry.m, similarity, question: entry.q, createdAt: entry.t };
        }
      }
      return best;
    },

    async write({ question, answer, model, scope, ttlSeconds, createdAt = new Date().toISOString(), precomputed }) {
      const key = cacheKeyFor(question, scope);
      const vector = embed(question);
      const value = encode({ q: question, n: key.normalized, a: answer, m: model, t: createdAt, v: toBase64(vector), ...(precomputed ? { p: 1 as const } : {}) });
      if (value.length > maxEntryBytes) {
        options.log?.warn({ bytes: value.length, maxEntryBytes }, 'answer too large to cache');
        return 'too_large';
      }
      const pipeline = redis.multi().set(entryKey(key.entryId), value, 'EX', ttlSeconds);
      for (const signature of lsh.signatures(vector)) {
        const bucket = bucketKey(key.scopeHash, signature);
        pipeline.sadd(bucket, key.entryId).expire(bucket, ttlSeconds);
      }
      for (const titleId of scope.titleIds) {
        // Extended only: an older entry under the same title may outlive this one.
        pipeline.sadd(titleKey(titleId), key.entryId).expire(titleKey(titleId), ttlSeconds, 'GT').expire(titleKey(titleId), ttlSeconds, 'NX');
      }
      await pipeline.exec();
      return 'written';
    },

    holdLocally({ question, answer, model, scope, ttlSeconds, createdAt = new Date().toISOString() }) {
      if (!local?.live || ttlSeconds <= 0) return false;
      const key = keyOf(question, scope);
      // The vector only serves semantic lookups, which always go to Redis.
      const entry: StoredEntry = { q: question, n: key.normalized, a: answer, m: model, t: createdAt, v: '' };
      const bytes = Buffer.byteLength(answer) + Buffer.byteLength(question) * 2 + 64;
      return local.hold(entryKey(key.entryId), entry, bytes, Date.now() + ttlSeconds * 1000);
    },

    close: async () => local?.close(),
  };
}
