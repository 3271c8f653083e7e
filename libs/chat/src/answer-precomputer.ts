import type { ResponseCache } from '@manga-assist/cache';
import { cacheKeyFor } from '@manga-assist/cache';
import type { Classification, ModelProfile } from '@manga-assist/contracts';
import { cacheScopeFor } from './chat-pipeline';
import type { ClassifierPort, ModelGateway, ProductSource } from './ports';
import { selectProducts } from './select-products';

export interface PrecomputeDeps {
  classifier: ClassifierPort;
  products: ProductSource;
  model: ModelGateway;
  route(classification: Classification): ModelProfile;
  cache: ResponseCache;
}

export interface PrecomputeResult {
  /** Cache entries written (one per phrasing). */
  entries: number;
  /** Model answers generated (one per scope). */
  answers: number;
  failures: { question: string; error: string }[];
}

/**
 * Answers questions ahead of time through the gateway's own steps (classification, product
 * selection, prompt, model) and stores them under the keys the gateway's lookup derives. Phrasings
 * that share a cache scope (same intent, filters, titles and language) share one model answer.
 */
export async function precomputeAnswers(
  deps: PrecomputeDeps,
  questions: readonly string[],
  { ttlSeconds, concurrency = 8 }: { ttlSeconds: number; concurrency?: number },
): Promise<PrecomputeResult> {
  const groups = new Map<string, { classification: Classification; questions: string[] }>();
  for (const question of questions) {
    const classification = deps.classifier.classify(question);
    const { scopeHash } = cacheKeyFor(question, cacheScopeFor(classification, question));
    const group = groups.get(scopeHash);
    if (group) group.questions.push(question);
    else groups.set(scopeHash, { classification, questions: [question] });
  }

  const result: PrecomputeResult = { entries: 0, answers: 0, failures: [] };
  const pending = [...groups.values()];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, pending.length) }, async () => {
      for (let group = pending.shift(); group; group = pending.shift()) {
        const [first] = group.questions as [string, ...string[]];
        try {
          const products = await selectProducts(deps.products, group.classification, first);
          const profile = deps.route(group.classification);
          const { tokens } = deps.model.stream({ profile, userText: first, intent: group.classification.intent, history: [], summary: '', products });
          let answer = '';
          for await (const text of tokens) answer += text;
          result.answers++;
          for (const question of group.questions) {
            const scope = cacheScopeFor(deps.classifier.classify(question), question);
            if ((await deps.cache.write({ question, answer, model: profile, scope, ttlSeconds })) === 'written') result.entries++;
          }
        } catch (error) {
          for (const question of group.questions) result.failures.push({ question, error: (error as Error).message });
        }
      }
    }),
  );
  return result;
}
