export { PERSONAL_DATA_KINDS, findPersonalData } from './find-personal-data';
export type { PersonalDataKind, PersonalDataMatch } from './find-personal-data';
export { REDACTION_LABELS, redactPersonalData } from './redact-personal-data';
export type { Redaction, RedactOptions } from './redact-personal-data';
export { isbn13Valid, luhnValid } from './luhn';
export { foldWidth } from './fold-width';
