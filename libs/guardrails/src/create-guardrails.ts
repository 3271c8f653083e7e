import { reviewFinding } from './context-review';
import { firstTokens } from './first-tokens';
import { injectionFilter } from './injection-filter';
import { personalDataFilter } from './personal-data-filter';
import { priceFilter } from './price-filter';
import { remediate } from './remediate';
import type { Finding, GuardrailInput, Verdict, Violation } from './guardrail.types';

export interface GuardrailsOptions {
  /** Tokens of each answer evaluated (most violations appear early; the cost stays flat). */
  maxTokens?: number;
}

export interface Guardrails {
  evaluate(input: GuardrailInput): Verdict;
}

/**
 * Tiered evaluation of an answer, in process: tier 1 runs the fast filters (regular expressions
 * and keyword lists) on the first `maxTokens` tokens; tier 2, the closer look at context, runs
 * only for the findings tier 1 marked ambiguous. A violation yields the revised text to send.
 */
export function createGuardrails({ maxTokens = 200 }: GuardrailsOptions = {}): Guardrails {
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new Error(`guardrails: maxTokens must be a positive integer (got ${maxTokens})`);
  return {
    evaluate(input) {
      const prefix = firstTokens(input.answer, maxTokens);
      const findings: Finding[] = [
        ...personalDataFilter(prefix.text),
        ...injectionFilter(prefix.text),
        ...priceFilter(prefix.text, input.products),
      ];
      const violations: Violation[] = findings.filter((f) => f.certainty === 'high').map((f) => ({ ...f, tier: 1 }));
      const ambiguous = findings.filter((f) => f.certainty === 'low');
      const dismissed: Finding[] = [];
      for (const f of ambiguous) {
        if (reviewFinding(f, prefix.text, input)) violations.push({ ...f, tier: 2 });
        else dismissed.push(f);
      }
      violations.sort((a, b) => a.start - b.start);
      return {
        ok: violations.length === 0,
        violations,
        dismissed,
        tiers: ambiguous.length > 0 ? 2 : 1,
        evaluatedTokens: prefix.tokens,
        truncated: prefix.truncated,
        revision: violations.length === 0 ? null : remediate(input.answer, violations),
      };
    },
  };
}
