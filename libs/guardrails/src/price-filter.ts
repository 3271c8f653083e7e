import type { Finding, GuardrailInput } from './guardrail.types';

// ¥1,200 / ￥1200 / 1,200円 / 1200 yen / 1,200 JPY
const PRICE = /[¥￥]\s?([\d,，]+)|([\d,，]+)\s?(?:円|yen\b|JPY\b)/gi;

const toAmount = (digits: string) => Number(digits.replace(/[,，]/g, ''));

export interface PriceMention {
  start: number;
  end: number;
  value: string;
  amount: number;
}

export function priceMentions(text: string): PriceMention[] {
  return [...text.matchAll(PRICE)]
    .map((m) => ({ start: m.index, end: m.index + m[0].length, value: m[0], amount: toAmount(m[1] ?? m[2] ?? '') }))
    .filter((p) => Number.isFinite(p.amount) && p.amount > 0);
}

/**
 * Tier 1: a price in the answer that none of the given products has. Only checked when the
 * products are known; always ambiguous (a budget quoted back, a total, a tax-included price are
 * not inventions), so the closer look decides.
 */
export function priceFilter(text: string, products: GuardrailInput['products']): Finding[] {
  if (!products || products.length === 0) return [];
  const known = new Set(products.map((p) => p.price));
  return priceMentions(text)
    .filter((p) => !known.has(p.amount))
    .map((p) => ({ rule: 'unknown_price', start: p.start, end: p.end, value: p.value, certainty: 'low', detail: `¥${p.amount} is not the price of any product given` }));
}
