// Lookup keys for titles and readings. Users type ワンピース, わんぴーす, ｽﾗﾑﾀﾞﾝｸ or ＳＬＡＭ ＤＵＮＫ;
// all of these must land on the same key as the catalog's stored title or reading.

const KATAKANA_START = 0x30a1; // ァ
const KATAKANA_END = 0x30f6; // ヶ; ヷ–ヺ have no hiragana counterpart and stay as they are
const KANA_OFFSET = 0x60;

/** Maps katakana to hiragana, leaving everything else (including the long-vowel mark ー) alone. */
export function katakanaToHiragana(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    out += code >= KATAKANA_START && code <= KATAKANA_END ? String.fromCodePoint(code - KANA_OFFSET) : ch;
  }
  return out;
}

// Punctuation and symbols (・「」『』【】！？☆♪❤～× …) separate words at most; ー is a letter (Lm) and survives.
const PUNCTUATION_OR_SYMBOL = /[\p{P}\p{S}]/gu;
const WHITESPACE_RUN = /\s+/gu;

/**
 * Normalizes text for lookup: NFKC (full-width → ASCII, half-width kana → full-width), lowercase,
 * katakana → hiragana, punctuation and symbols → space, whitespace collapsed and trimmed.
 */
export function normalizeText(s: string): string {
  return katakanaToHiragana(s.normalize('NFKC').toLowerCase())
    .replace(PUNCTUATION_OR_SYMBOL, ' ')
    .replace(WHITESPACE_RUN, ' ')
    .trim();
}

/** `normalizeText` without spaces, for matching where the source is inconsistent about spacing (ONEPIECE vs ONE PIECE). */
export function compactText(s: string): string {
  return normalizeText(s).replace(/ /g, '');
}
