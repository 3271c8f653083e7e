import { foldWidth } from './fold-width';
import { isbn13Valid, luhnValid } from './luhn';

export const PERSONAL_DATA_KINDS = ['email', 'phone', 'card'] as const;
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

export interface PersonalDataMatch {
  kind: PersonalDataKind;
  /** Offsets in the original text (UTF-16 units). */
  start: number;
  end: number;
  /** The matched text as written. */
  value: string;
  /**
   * `high`: unmistakable (an address with @, a formatted phone number, a Luhn-valid number with a
   * card issuer's prefix). `low`: could be something else, such as an order number or an ISBN;
   * a caller that can afford it looks at the context.
   */
  certainty: 'high' | 'low';
  /** Why a match is only `low`. */
  note?: string;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// 13–19 digits, single spaces or dashes allowed between them.
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?!\d)/g;
const PHONE_PATTERNS: { pattern: RegExp; digits: [number, number]; certainty: 'high' | 'low'; note?: string }[] = [
  // 03-1234-5678, 090 1234 5678, 0120-123-456
  { pattern: /(?<![\d+-])0\d{1,4}[- ]\d{1,4}[- ]\d{3,4}(?![\d-])/g, digits: [10, 11], certainty: 'high' },
  // (03) 1234-5678
  { pattern: /\(0\d{1,4}\) ?\d{1,4}-\d{3,4}(?![\d-])/g, digits: [10, 11], certainty: 'high' },
  // +81 90-1234-5678, +81-3-1234-5678, +819012345678
  { pattern: /\+81[- ]?\(?0?\d{1,4}\)?[- ]?\d{1,4}[- ]?\d{3,4}(?![\d-])/g, digits: [11, 13], certainty: 'high' },
  // other countries: + and 7–15 digits
  { pattern: /\+(?!81)\d{1,3}(?:[- ]?\d){6,13}(?![\d-])/g, digits: [8, 16], certainty: 'high' },
  // 09012345678: mobile and IP-phone numbers written without separators
  { pattern: /(?<![\d-])0[5789]0\d{8}(?![\d-])/g, digits: [11, 11], certainty: 'high' },
  // 0312345678: ten digits from 0, also the shape of an order or tracking number
  { pattern: /(?<![\d-])0[1-9]\d{8}(?![\d-])/g, digits: [10, 10], certainty: 'low', note: 'ten digits without separators (could be an order number)' },
];

// Issuer prefixes: Visa, Mastercard (51–55, 2221–2720), Amex, JCB, Diners, Discover, UnionPay.
const CARD_ISSUER = /^(?:4|5[1-5]|2(?:2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)|3[47]|35(?:2[89]|[3-8]\d)|3(?:0[0-5]|[689])|6(?:011|5|4[4-9])|62)/;

const digitsOf = (s: string) => s.replace(/\D/g, '');

function cardMatches(folded: string, text: string): PersonalDataMatch[] {
  const found: PersonalDataMatch[] = [];
  for (const m of folded.matchAll(CARD)) {
    const digits = digitsOf(m[0]);
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) continue;
    const start = m.index;
    const end = start + m[0].length;
    const base = { kind: 'card' as const, start, end, value: text.slice(start, end) };
    if (isbn13Valid(digits)) found.push({ ...base, certainty: 'low', note: 'also a valid ISBN-13' });
    else if (!CARD_ISSUER.test(digits)) found.push({ ...base, certainty: 'low', note: 'no card issuer uses this prefix' });
    else found.push({ ...base, certainty: 'high' });
  }
  return found;
}

function phoneMatches(folded: string, text: string): PersonalDataMatch[] {
  const found: PersonalDataMatch[] = [];
  for (const { pattern, digits: [min, max], certainty, note } of PHONE_PATTERNS) {
    for (const m of folded.matchAll(pattern)) {
      const n = digitsOf(m[0]).length;
      if (n < min || n > max) continue;
      const start = m.index;
      const end = start + m[0].length;
      found.push({ kind: 'phone', start, end, value: text.slice(start, end), certainty, ...(note ? { note } : {}) });
    }
  }
  return found;
}

const PRIORITY: Record<PersonalDataKind, number> = { card: 0, email: 1, phone: 2 };

/**
 * Emails, phone numbers (Japanese and international) and payment card numbers (Luhn-checked) in
 * `text`, full-width forms included, in order of appearance and without overlaps (a card number
 * wins over the phone number its digits also look like).
 */
export function findPersonalData(text: string): PersonalDataMatch[] {
  const folded = foldWidth(text);
  const emails: PersonalDataMatch[] = [...folded.matchAll(EMAIL)].map((m) => ({
    kind: 'email',
    start: m.index,
    end: m.index + m[0].length,
    value: text.slice(m.index, m.index + m[0].length),
    certainty: 'high',
  }));
  const candidates = [...cardMatches(folded, text), ...emails, ...phoneMatches(folded, text)].sort(
    (a, b) => PRIORITY[a.kind] - PRIORITY[b.kind] || (a.certainty === b.certainty ? 0 : a.certainty === 'high' ? -1 : 1) || b.end - b.start - (a.end - a.start),
  );
  const kept: PersonalDataMatch[] = [];
  for (const c of candidates) {
    if (!kept.some((k) => c.start < k.end && k.start < c.end)) kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start);
}
