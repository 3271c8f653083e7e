// A token, roughly as a model counts them: a run of Latin letters or digits (a long run counts as
// one token per 16 characters, as a model's tokenizer splits a long word into pieces), or one
// Japanese character, or one other symbol. Whitespace separates and is not counted. Without the
// bound, an answer of one 100 KB "word" was a single token, and the whole of it was evaluated.
const TOKEN = /[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]{1,16}|\S/gu;

export interface TokenPrefix {
  /** The answer up to the end of its `maxTokens`-th token (or a little further, see below). */
  text: string;
  tokens: number;
  truncated: boolean;
}

// What may continue a token across the cut: anything but whitespace and Japanese text, and a
// space followed by a digit (090 1234 5678).
const CONTINUATION = /^[^\s\u3000-\u30ff\u3400-\u9fff]*(?: [\d\uff10-\uff19][^\s\u3000-\u30ff\u3400-\u9fff]*)*/;

/**
 * The first `maxTokens` tokens of `text`: most violations appear early, and evaluating a prefix
 * keeps the cost flat whatever the answer's length. The cut moves past the rest of a number or
 * address it falls into (at most 40 characters), so a phone or card number is not split in two.
 */
export function firstTokens(text: string, maxTokens: number): TokenPrefix {
  let count = 0;
  let end = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (count === maxTokens) {
      const rest = CONTINUATION.exec(text.slice(end, end + 40))?.[0] ?? '';
      return { text: text.slice(0, end + rest.length), tokens: count, truncated: true };
    }
    count++;
    end = m.index + m[0].length;
  }
  return { text, tokens: count, truncated: false };
}
