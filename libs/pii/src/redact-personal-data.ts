import { PERSONAL_DATA_KINDS, findPersonalData } from './find-personal-data';
import type { PersonalDataKind, PersonalDataMatch } from './find-personal-data';

export interface RedactOptions {
  /**
   * `low` (the default) also redacts what only might be personal data: for a record that is kept,
   * removing an order number by mistake costs less than keeping a phone number.
   */
  minCertainty?: 'low' | 'high';
  /** Only these matches (e.g. after a closer look); `minCertainty` is ignored when given. */
  matches?: readonly PersonalDataMatch[];
}

export interface Redaction {
  text: string;
  counts: Record<PersonalDataKind, number>;
}

/** What a redacted value is replaced with: the kind stays readable, the value does not. */
export const REDACTION_LABELS: Readonly<Record<PersonalDataKind, string>> = {
  email: '[redacted email]',
  phone: '[redacted phone]',
  card: '[redacted card]',
};

/** `text` with emails, phone numbers and card numbers replaced by labels, and how many of each. */
export function redactPersonalData(text: string, { minCertainty = 'low', matches }: RedactOptions = {}): Redaction {
  const chosen = matches ?? findPersonalData(text).filter((m) => minCertainty === 'low' || m.certainty === 'high');
  const counts = Object.fromEntries(PERSONAL_DATA_KINDS.map((k) => [k, 0])) as Record<PersonalDataKind, number>;
  let out = '';
  let at = 0;
  for (const m of [...chosen].sort((a, b) => a.start - b.start)) {
    if (m.start < at) continue;
    out += text.slice(at, m.start) + REDACTION_LABELS[m.kind];
    at = m.end;
    counts[m.kind]++;
  }
  return { text: out + text.slice(at), counts };
}
