import { compactText, katakanaToHiragana, normalizeText } from './normalize';

describe('normalizeText', () => {
  it('maps katakana readings to hiragana, so ワンピース and わんぴーす meet', () => {
    expect(normalizeText('ワンピース')).toBe('わんぴーす');
    expect(normalizeText('わんぴーす')).toBe('わんぴーす');
    expect(normalizeText('スラムダンク')).toBe(normalizeText('すらむだんく'));
  });

  it('keeps the long-vowel mark, which is part of the reading', () => {
    expect(normalizeText('ドラゴンボール')).toBe('どらごんぼーる');
  });

  it('folds full-width Latin and case: ＳＬＡＭ ＤＵＮＫ is slam dunk', () => {
    expect(normalizeText('ＳＬＡＭ ＤＵＮＫ')).toBe('slam dunk');
    expect(normalizeText('SLAM DUNK')).toBe('slam dunk');
    expect(normalizeText('ＯＮＥＰＩＥＣＥ')).toBe('onepiece');
    expect(normalizeText('ONE PIECE')).toBe('one piece');
  });

  it('turns half-width katakana into full kana', () => {
    expect(normalizeText('ｽﾗﾑﾀﾞﾝｸ')).toBe('すらむだんく');
  });

  it('drops punctuation and symbols and collapses whitespace', () => {
    expect(normalizeText('「名探偵コナン」')).toBe('名探偵こなん');
    expect(normalizeText('シティ・ハンター')).toBe('してぃ はんたー');
    expect(normalizeText('すすめ！！パイレーツ')).toBe('すすめ ぱいれーつ');
    expect(normalizeText('『鬼滅の刃』？')).toBe('鬼滅の刃');
    expect(normalizeText('  HUNTER×HUNTER  ')).toBe('hunter hunter');
    expect(normalizeText('進撃の巨人\u3000悔いなき選択')).toBe('進撃の巨人 悔いなき選択');
  });

  it('leaves kanji alone', () => {
    expect(normalizeText('進撃の巨人')).toBe('進撃の巨人');
  });
});

describe('compactText', () => {
  it('ignores spacing, so the reading ＯＮＥＰＩＥＣＥ matches the title ONE PIECE', () => {
    expect(compactText('ＯＮＥＰＩＥＣＥ')).toBe(compactText('ONE PIECE'));
    expect(compactText('シティ・ハンター')).toBe('してぃはんたー');
  });
});

describe('katakanaToHiragana', () => {
  it('converts only katakana', () => {
    expect(katakanaToHiragana('ヴァンパイア abc 漢字')).toBe('ゔぁんぱいあ abc 漢字');
  });
});
