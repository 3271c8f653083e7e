import { injectionAttempts } from './injection-filter';
import { priceMentions } from './price-filter';
import type { Finding, GuardrailInput } from './guardrail.types';

const CARD_CONTEXT = /card|credit|visa|master|amex|jcb|カード|クレジット|決済/i;
const BOOK_CONTEXT = /isbn|書籍|巻|volume/i;
const PHONE_CONTEXT = /tel|phone|call|fax|電話|携帯|連絡先|ファックス/i;
const ORDER_CONTEXT = /order|tracking|shipment|注文|伝票|追跡|お問い合わせ番号|受付番号/i;

/** Up to `size` characters either side of a finding, without the finding itself. */
const around = (text: string, f: Finding, size = 24) =>
  `${text.slice(Math.max(0, f.start - size), f.start)} ${text.slice(f.end, Math.min(text.length, f.end + size))}`;

function personalDataStands(f: Finding, text: string, input: GuardrailInput): boolean {
  const context = around(text, f);
  if (f.detail.startsWith('card')) {
    // A Luhn-valid number that is also an ISBN, or has no issuer's prefix: a card only if the text says so.
    return CARD_CONTEXT.test(context) && !BOOK_CONTEXT.test(context);
  }
  if (f.detail.startsWith('phone')) {
    // Ten bare digits: a phone number when the text calls it one; an order number in an order answer.
    if (PHONE_CONTEXT.test(context)) return true;
    return !(ORDER_CONTEXT.test(context) || input.intent === 'order_status');
  }
  return true;
}

function injectionStands(_f: Finding, input: GuardrailInput): boolean {
  // Talking about its instructions is a leak only when the question tried to make it do so.
  return injectionAttempts(input.question).length > 0;
}

function priceStands(f: Finding, input: GuardrailInput): boolean {
  const amount = priceMentions(f.value)[0]?.amount;
  if (amount === undefined) return false;
  // The user's own budget quoted back.
  if (priceMentions(input.question).some((p) => p.amount === amount) || input.question.includes(String(amount))) return false;
  const prices = (input.products ?? []).map((p) => p.price);
  // The same price with or without 10% consumption tax.
  if (prices.some((p) => Math.round(p * 1.1) === amount || Math.floor(p * 1.1) === amount || Math.round(amount * 1.1) === p)) return false;
  // A total of two of the products.
  return !prices.some((p, i) => prices.slice(i + 1).some((q) => p + q === amount));
}

/**
 * Tier 2: the closer look at a finding tier 1 could not settle, using the words around it, the
 * question and the products. Runs only when tier 1 found something ambiguous.
 */
export function reviewFinding(f: Finding, text: string, input: GuardrailInput): boolean {
  switch (f.rule) {
    case 'personal_data':
      return personalDataStands(f, text, input);
    case 'prompt_injection':
      return injectionStands(f, input);
    case 'unknown_price':
      return priceStands(f, input);
  }
}
