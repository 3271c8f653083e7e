import type { AnswerLanguage } from './language';

// A word with its trailing space, or a run of spaces: joined back, the chunks are the text again.
const ENGLISH_CHUNKS = /\S+\s*|\s+/g;
// ASCII runs stay whole; everything else goes out a few characters at a time, as a model's tokens do.
const JAPANESE_CHUNKS = /[\x21-\x7e]+[ \t]*|\s+|[\u0080-\u{10ffff}]{1,3}|[\s\S]/gu;

/** Splits an answer into the chunks a streaming model would send. */
export function splitIntoStreamTokens(text: string, language: AnswerLanguage): string[] {
  return text.match(language === 'ja' ? JAPANESE_CHUNKS : ENGLISH_CHUNKS) ?? [];
}

/** A rough token count (about 4 ASCII characters or 1 Japanese character per token), for usage figures. */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 0x80) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 4) + other;
}
