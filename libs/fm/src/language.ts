// Hiragana, katakana (full and half width) and CJK ideographs: any of them means the user wrote Japanese.
const JAPANESE = /[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]/;

export type AnswerLanguage = 'ja' | 'en';

export function detectLanguage(text: string): AnswerLanguage {
  return JAPANESE.test(text) ? 'ja' : 'en';
}
