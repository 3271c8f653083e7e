import { createGuardrails } from '@manga-assist/guardrails';
import type { Intent } from '@manga-assist/contracts';

export interface AnswerCheckConfig {
  GUARDRAIL_PROVIDER: 'local' | 'bedrock';
  GUARDRAIL_MAX_TOKENS: number;
}

/**
 * The in-process guardrail tiers the post-processor applies before it caches an answer, so the
 * gateway can hold a fresh answer that passes them at once. None with the Bedrock guardrail: an
 * answer is then cached only once that has passed too, which only the post-processor asks.
 */
export function answerCheckFor(config: AnswerCheckConfig): ((input: { question: string; answer: string; intent: Intent }) => boolean) | undefined {
  if (config.GUARDRAIL_PROVIDER === 'bedrock') return undefined;
  const guardrails = createGuardrails({ maxTokens: config.GUARDRAIL_MAX_TOKENS });
  return (input) => guardrails.evaluate(input).ok;
}
