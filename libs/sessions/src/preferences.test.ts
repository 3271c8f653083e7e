import { applyPreferencesPatch, mergeRecentTitles, samePreferences } from './preferences';

describe('preferences', () => {
  it('patches: left out stays, null clears', () => {
    expect(
      applyPreferencesPatch({ demographics: ['shonen'], maxPriceJpy: 800 }, { maxPriceJpy: null, language: 'ja' }),
    ).toEqual({ demographics: ['shonen'], language: 'ja' });
  });

  it('compares regardless of key order', () => {
    expect(samePreferences({ language: 'ja', maxPriceJpy: 500 }, { maxPriceJpy: 500, language: 'ja' })).toBe(true);
  });

  it('merges recent titles newest first, deduplicated, at most 20', () => {
    const current = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const merged = mergeRecentTitles(current, ['t5', 'new', 'new']);
    expect(merged.slice(0, 3)).toEqual(['t5', 'new', 't0']);
    expect(merged).toHaveLength(20);
    expect(new Set(merged).size).toBe(20);
  });
});
