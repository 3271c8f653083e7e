import { cacheKeyFor } from '@manga-assist/cache';
import type { Classification, ModelProfile } from '@manga-assist/contracts';
import { cacheScopeFor, selectProducts } from '@manga-assist/chat';
import type { ClassifierPort, ModelGateway, ProductSource } from '@manga-assist/chat';
import type { GuardedCacheWriter } from '@manga-assist/guardrails';

export interface PrecomputeDeps {
  classifier: ClassifierPort;
  products: ProductSource;
  model: ModelGateway;
  route(classification: Classification): ModelProfile;
  /** The guarded way into the shared cache: the gate every cache writer passes. */
  writer: GuardedCacheWriter;
}

export interface PrecomputeResult {
  /** Cache entries written (one per phrasing). */
  entries: number;
  /** Model answers generated (one per scope). */
  answers: number;
  /** Answers the guardrails would revise or block (or could not check): not cached. */
  withheld: number;
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

  const result: PrecomputeResult = { entries: 0, answers: 0, withheld: 0, failures: [] };
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
            const written = await deps.writer.write({ question, answer, model: profile, scope, ttlSeconds, precomputed: true });
            if (written === 'written') result.entries++;
            else if (written === 'withheld' || written === 'unchecked') result.withheld++;
          }
        } catch (error) {
          for (const question of group.questions) result.failures.push({ question, error: (error as Error).message });
        }
      }
    }),
  );
  return result;
}
