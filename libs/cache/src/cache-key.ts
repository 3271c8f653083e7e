import { createHash } from 'node:crypto';
import type { CacheScope } from '@manga-assist/contracts';
import { compactText } from '@manga-assist/catalog';

/** JSON with sorted keys, so equal scopes always hash alike. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface CacheKey {
  /** Questions share a cached answer only within one scope (intent, filters, titles in order, language). */
  scopeHash: string;
  /** The question as compared for an exact hit. */
  normalized: string;
  /** Id of the entry an exact hit would find. */
  entryId: string;
}

/**
 * The one function that derives cache keys: the gateway's lookup, the post-processor's write and
 * the scheduler's pre-computed answers all call it, so they cannot drift apart.
 */
export function cacheKeyFor(question: string, scope: CacheScope): CacheKey {
  const scopeHash = createHash('sha1').update(stableJson(scope)).digest('hex').slice(0, 16);
  // Width, case, kana, punctuation and spacing do not make a different question.
  const normalized = compactText(question);
  const entryId = createHash('sha1').update(`${scopeHash}\n${normalized}`).digest('hex').slice(0, 20);
  return { scopeHash, normalized, entryId };
}
