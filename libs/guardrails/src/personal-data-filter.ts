import { findPersonalData } from '@manga-assist/pii';
import type { Finding } from './guardrail.types';

/** Tier 1: emails, phone numbers and card numbers (Luhn-checked) in the evaluated text. */
export function personalDataFilter(text: string): Finding[] {
  return findPersonalData(text).map((m) => ({
    rule: 'personal_data',
    start: m.start,
    end: m.end,
    value: m.value,
    certainty: m.certainty,
    detail: m.note ? `${m.kind}: ${m.note}` : m.kind,
  }));
}
