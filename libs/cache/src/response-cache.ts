import { gunzipSync, gzipSync } from 'node:zlib';
import type { Redis } from 'ioredis';
import type { CacheScope, ModelProfile } from '@manga-assist/contracts';
import { cacheKeyFor } from './cache-key';
import { cosine, createLsh } from './lsh';

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
}

export interface CacheHit {
  kind: 'exact' | 'semantic';
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
}

export type CacheWriteResult = 'written' | 'too_large';

export interface ResponseCache {
  lookup(question: string, scope: CacheScope): Promise<CacheHit | null>;
  write(entry: CacheWrite): Promise<CacheWriteResult>;
}

interface StoredEntry {
  q: string;
  n: string;
  a: string;
  m: ModelProfile;
  t: string;
  v: string;
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
 * The response cache: an exact hit costs one Redis round trip (one GET); a semantic lookup two more
 * (the LSH buckets in one pipeline, then the candidate entries in one MGET). Lookups are scoped, so a
 * question can only reuse an answer given for the same intent, filters, titles (in order) and
 * language: "A vs B" never gets the answer to "B vs A", "under ¥500" never the one for "over ¥500".
 */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { redis, embed, keyPrefix = 'ma:rc:', threshold = 0.85, maxEntryBytes = 64 * 1024, maxCandidates = 24 } = options;
  const lsh = createLsh({ dimensions: options.dimensions });
  const entryKey = (id: string) => `${keyPrefix}e:${id}`;
  const bucketKey = (scopeHash: string, signature: string) => `${keyPrefix}b:${scopeHash}:${signature}`;

  return {
    async lookup(question, scope) {
      // The exact entry first: most hits are the same question again (a prefetched answer, a
      // repeated question), and they need neither the embedding nor the buckets.
      const key = cacheKeyFor(question, scope);
      const exact = await redis.getBuffer(entryKey(key.entryId));
      if (exact) {
        const entry = decode(exact);
        if (entry.n === key.normalized) {
          return { kind: 'exact', answer: entry.a, model: entry.m, similarity: 1, question: entry.q, createdAt: entry.t };
        }
      }

      const vector = embed(question);
      const pipeline = redis.pipeline();
      for (const signature of lsh.signatures(vector)) pipeline.smembers(bucketKey(key.scopeHash, signature));
      const replies = (await pipeline.exec()) ?? [];
      const votes = new Map<string, number>();
      for (const [err, members] of replies) {
        if (err) throw err;
        for (const id of members as string[]) votes.set(id, (votes.get(id) ?? 0) + 1);
      }
      votes.delete(key.entryId);
      if (votes.size === 0) return null;
      const candidates = [...votes.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, maxCandidates)
        .map(([id]) => id);
      const values = await redis.mgetBuffer(...candidates.map(entryKey));
      let best: CacheHit | null = null;
      for (const value of values) {
        if (!value) continue; // expired since it was bucketed
        const entry = decode(value);
        const similarity = cosine(vector, fromBase64(entry.v));
        if (similarity >= threshold && (!best || similarity > best.similarity)) {
          best = { kind: 'semantic', answer: entry.a, model: entry.m, similarity, question: entry.q, createdAt: entry.t };
        }
      }
      return best;
    },

    async write({ question, answer, model, scope, ttlSeconds, createdAt = new Date().toISOString() }) {
      const key = cacheKeyFor(question, scope);
      const vector = embed(question);
      const value = encode({ q: question, n: key.normalized, a: answer, m: model, t: createdAt, v: toBase64(vector) });
      if (value.length > maxEntryBytes) {
        options.log?.warn({ bytes: value.length, maxEntryBytes }, 'answer too large to cache');
        return 'too_large';
      }
      const pipeline = redis.multi().set(entryKey(key.entryId), value, 'EX', ttlSeconds);
      for (const signature of lsh.signatures(vector)) {
        const bucket = bucketKey(key.scopeHash, signature);
        pipeline.sadd(bucket, key.entryId).expire(bucket, ttlSeconds);
      }
      await pipeline.exec();
      return 'written';
    },
  };
}
