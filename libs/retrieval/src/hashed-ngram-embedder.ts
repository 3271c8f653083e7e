import { normalizeText } from '@manga-assist/catalog';

import type { SyncEmbedder } from './embedder';
import { normalizeInPlace } from './vector-math';

export interface HashedNgramEmbedderOptions {
  /** Output size; more dimensions mean fewer hash collisions and a bigger index. */
  dimensions?: number;
}

// Weights per feature kind. Single characters say little on their own (の, を, a, e) but single
// kanji do carry meaning, so they count half; bigrams and trigrams carry the match.
const UNIGRAM_WEIGHT = 0.5;
const BIGRAM_WEIGHT = 1;
const TRIGRAM_WEIGHT = 1;
const WORD_WEIGHT = 1;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
// Distinct seeds per feature kind, so the word "ab" and the bigram "ab" land in different buckets.
const WORD_SEED = 0x9e3779b9;

/** murmur3's finalizer: spreads FNV's weak low bits before the modulo and the sign bit are taken. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function isLatinWordChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a); // 0-9 a-z after normalizeText
}

/**
 * The local embedder: hashed character 1–3-grams over `normalizeText` output (so カタカナ, ひらがな,
 * full-width and half-width forms share features), plus whole-word features for Latin words, with
 * signed feature hashing into `dimensions` buckets. Deterministic, dependency-free and a few
 * microseconds per short query, so the chat path can call `embedSync` inline.
 */
export function createHashedNgramEmbedder(options: HashedNgramEmbedderOptions = {}): SyncEmbedder {
  const dimensions = options.dimensions ?? 384;
  if (!Number.isInteger(dimensions) || dimensions < 8 || dimensions > 65_536) {
    throw new Error(`createHashedNgramEmbedder: dimensions must be an integer in 8..65536, got ${dimensions}`);
  }

  const add = (v: Float32Array, hash: number, weight: number): void => {
    const h = mix(hash);
    const bucket = (h >>> 0) % dimensions;
    v[bucket] += h < 0 ? -weight : weight; // the top bit picks the sign, so collisions cancel out on average
  };

  const embedSync = (text: string): Float32Array => {
    const v = new Float32Array(dimensions);
    const s = normalizeText(text);
    const n = s.length;
    let start = 0;
    // Tokens are the space-separated runs of normalizeText output; n-grams never cross a space.
    while (start < n) {
      let end = start;
      let latin = true;
      while (end < n && s.charCodeAt(end) !== 0x20) {
        if (!isLatinWordChar(s.charCodeAt(end))) latin = false;
        end += 1;
      }
      let word = WORD_SEED;
      for (let i = start; i < end; i++) {
        const c0 = s.charCodeAt(i);
        word = Math.imul(word ^ c0, FNV_PRIME);
        const h1 = Math.imul(FNV_OFFSET ^ c0, FNV_PRIME);
        add(v, h1 ^ 1, UNIGRAM_WEIGHT);
        if (i + 1 < end) {
          const h2 = Math.imul(h1 ^ s.charCodeAt(i + 1), FNV_PRIME);
          add(v, h2 ^ 2, BIGRAM_WEIGHT);
          if (i + 2 < end) add(v, Math.imul(h2 ^ s.charCodeAt(i + 2), FNV_PRIME) ^ 3, TRIGRAM_WEIGHT);
        }
      }
      // Whole Latin words ("one", "piece") match exactly where their trigrams only overlap.
      if (latin && end - start > 1) add(v, word, WORD_WEIGHT);
      start = end + 1;
    }
    return normalizeInPlace(v);
  };

  return {
    id: `hashed-ngram-v1-${dimensions}`,
    dimensions,
    embedSync,
    embed: async (texts) => texts.map(embedSync),
  };
}
