export { createGuardrails } from './create-guardrails';
export type { Guardrails, GuardrailsOptions } from './create-guardrails';
export { GUARDRAIL_RULES } from './guardrail.types';
export type { Finding, GuardrailInput, GuardrailRule, Verdict, Violation } from './guardrail.types';
export { firstTokens } from './first-tokens';
export type { TokenPrefix } from './first-tokens';
export { PRICE_NOTE, SAFE_REPLACEMENT } from './remediate';
export { createBedrockGuardrail } from './bedrock-guardrail';
export type { BedrockGuardrailOptions, RemoteAssessment, RemoteGuardrail } from './bedrock-guardrail';
