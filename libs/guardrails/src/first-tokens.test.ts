import { firstTokens } from './first-tokens';

describe('first tokens of an answer', () => {
  it('counts a Japanese character or a Latin word as one token', () => {
    expect(firstTokens('今週の人気マンガ', 3)).toEqual({ text: '今週の', tokens: 3, truncated: true });
    expect(firstTokens('hello world', 5)).toEqual({ text: 'hello world', tokens: 2, truncated: false });
  });

  it('does not cut a number in two at the boundary', () => {
    const { text, truncated } = firstTokens('call 090-1234-5678 now please', 3);
    expect(truncated).toBe(true);
    expect(text).toBe('call 090-1234-5678');
  });

  it('bounds the prefix of an answer made of one very long run of letters', () => {
    const { text, truncated } = firstTokens('a'.repeat(180_000), 200);
    expect(truncated).toBe(true);
    // 200 tokens of at most 16 letters, plus the at most 40 characters the cut may move on.
    expect(text.length).toBeLessThanOrEqual(200 * 16 + 40);
    expect(text.length).toBeGreaterThan(200);
  });
});
