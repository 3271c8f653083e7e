/** What the guardrails look at: one answer as it was streamed, and what it was an answer to. */
export interface GuardrailInput {
  question: string;
  answer: string;
  /** The classified intent, when known (an order question may quote order numbers). */
  intent?: string;
  /** Products the answer was grounded in; prices in the answer are checked against them when given. */
  products?: readonly { title: string; price: number }[];
}

export const GUARDRAIL_RULES = ['personal_data', 'prompt_injection', 'unknown_price'] as const;
export type GuardrailRule = (typeof GUARDRAIL_RULES)[number];

/** Something a filter found in the evaluated part of the answer. */
export interface Finding {
  rule: GuardrailRule;
  /** Offsets in the answer. */
  start: number;
  end: number;
  value: string;
  /** `high` is a violation as it stands; `low` needs the closer (tier 2) look. */
  certainty: 'high' | 'low';
  /** What kind of thing it is (email, phone, card, injection phrase, price) and why it is only `low`. */
  detail: string;
}

/** A finding that stands, with the tier that decided it. */
export interface Violation extends Finding {
  tier: 1 | 2;
}

export interface Verdict {
  ok: boolean;
  violations: Violation[];
  /** Ambiguous findings the closer look cleared. */
  dismissed: Finding[];
  /** 1 when the fast filters settled it, 2 when an ambiguous finding needed the closer look. */
  tiers: 1 | 2;
  /** Tokens of the answer evaluated, and whether the answer was longer. */
  evaluatedTokens: number;
  truncated: boolean;
  /** The text the client should see instead; null when the answer stands. */
  revision: string | null;
}
