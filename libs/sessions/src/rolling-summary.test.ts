import { japaneseConversation } from '../test/japanese-conversation';
import { EMPTY_DIGEST, MAX_SUMMARY_CHARS, foldTurn, renderSummary } from './rolling-summary';

describe('rolling summary', () => {
  it('names intents, titles, the budget and what was said, extractively', () => {
    const digest = japaneseConversation(3).reduce(foldTurn, EMPTY_DIGEST);
    const summary = renderSummary(digest);
    expect(summary).toMatch(/^Earlier \(turns 1–3\): asked about trending, genre_browse, title_lookup; titles 『進撃の巨人』; offered 『/);
    expect(summary).toContain('『進撃の巨人』');
    expect(summary).toContain('budget ¥800');
    expect(summary).toContain('「今週人気の漫画を教えてください。」');
  });

  it('counts repeated intents', () => {
    const digest = japaneseConversation(17).reduce(foldTurn, EMPTY_DIGEST);
    expect(renderSummary(digest)).toContain('trending (3×)');
  });

  it('stays within the limit and keeps the newest snippets when trimming', () => {
    const turns = japaneseConversation(60);
    const summary = renderSummary(turns.reduce(foldTurn, EMPTY_DIGEST));
    expect(Array.from(summary).length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
    expect(summary).toContain('turns 1–60');
    // Turn 60 is the 4th exchange again: its question is the newest snippet and must survive.
    expect(summary).toContain('(60) スポーツ漫画でおすすめは？');
  });

  it('is deterministic and empty before anything was folded', () => {
    const turns = japaneseConversation(12);
    expect(renderSummary(turns.reduce(foldTurn, EMPTY_DIGEST))).toBe(renderSummary(turns.reduce(foldTurn, EMPTY_DIGEST)));
    expect(renderSummary(EMPTY_DIGEST)).toBe('');
  });
});
