import { findPersonalData, redactPersonalData } from '@manga-assist/pii';
import type { PersonalDataMatch } from '@manga-assist/pii';
import type { Violation } from './guardrail.types';

const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff]/;

export const SAFE_REPLACEMENT = {
  ja: '申し訳ありません。先ほどの回答は取り消しました。マンガの検索やおすすめについて、改めてご質問ください。',
  en: 'Sorry, I have withdrawn my previous answer. Please ask me again about finding or choosing manga.',
} as const;
export const PRICE_NOTE = { ja: '（価格は商品ページでご確認ください）', en: '(see the product page for the price)' } as const;

/**
 * The text the client gets instead of a violating answer. An injection replaces the whole answer
 * (nothing in it can be trusted); personal data is redacted (in the whole answer, not only the
 * evaluated part, once it is being revised anyway); an unknown price is replaced by a pointer to
 * the product page.
 */
export function remediate(answer: string, violations: readonly Violation[]): string {
  const language = JAPANESE.test(answer) ? 'ja' : 'en';
  if (violations.some((v) => v.rule === 'prompt_injection')) return SAFE_REPLACEMENT[language];

  const confirmed = violations.filter((v) => v.rule === 'personal_data');
  const confirmedAt = new Set(confirmed.map((v) => v.start));
  // Redact what was confirmed, and every unmistakable match beyond the evaluated part.
  const matches: PersonalDataMatch[] = findPersonalData(answer).filter((m) => confirmedAt.has(m.start) || m.certainty === 'high');
  let text = confirmed.length > 0 ? redactPersonalData(answer, { matches }).text : answer;

  const prices = violations.filter((v) => v.rule === 'unknown_price').map((v) => v.value);
  for (const value of new Set(prices)) text = text.split(value).join(PRICE_NOTE[language]);
  return text;
}
