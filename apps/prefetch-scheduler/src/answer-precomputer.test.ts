// Pre-computed answers go through the same guardrail gate as every other write into the shared cache.
import type { CacheWrite, ResponseCache } from '@manga-assist/cache';
import type { ProductSummary } from '@manga-assist/contracts';
import type { ModelGateway } from '@manga-assist/fm';
import { createGuardedCacheWriter, createGuardrails } from '@manga-assist/guardrails';
import { createClassifier } from '@manga-assist/intent';
import type { ProductSource } from '@manga-assist/retrieval';
import { precomputeAnswers } from './answer-precomputer';

const products: ProductSource = {
  search: async () => [],
  byIds: () => [],
  list: async () => [{ id: 'A', title: 'ワンピース', creator: '尾田栄一郎', priceJpy: 528, inStock: true, demographic: 'shonen', nextVolumeDate: null } satisfies ProductSummary],
};

/** Answers new-release questions cleanly and trending ones with a phone number (which tier 2 revises). */
const model: ModelGateway = {
  stream: (request) => ({
    promptBytes: 10,
    tokens: (async function* () {
      yield request.intent === 'trending' ? '人気作のお問い合わせは 090-1234-5678 まで。' : '今月の新刊は『ワンピース』です。';
    })(),
    usage: () => undefined,
  }),
};

describe('answer pre-computation', () => {
  it('caches what the guardrails pass and withholds what they would revise', async () => {
    const writes: CacheWrite[] = [];
    const cache: Pick<ResponseCache, 'write'> = { write: async (entry) => (writes.push(entry), 'written') };
    const writer = createGuardedCacheWriter({ cache, guardrails: createGuardrails() });
    const result = await precomputeAnswers(
      { classifier: createClassifier({ lookupTitles: () => [] }), products, model, route: () => 'haiku', writer },
      ['新刊', '今月の新刊', '人気のマンガ', '人気マンガ'],
      { ttlSeconds: 900 },
    );
    expect(writes.map((w) => w.question)).toEqual(['新刊', '今月の新刊']);
    expect(writes.every((w) => w.answer === '今月の新刊は『ワンピース』です。')).toBe(true);
    expect(result).toMatchObject({ entries: 2, withheld: 2, failures: [] });
  });
});
