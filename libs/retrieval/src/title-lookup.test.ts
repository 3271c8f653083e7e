import { compactText } from '@manga-assist/catalog';

import { fixtureCatalog, makeItem } from '../test/fixtures/catalog-fixture';
import { createTitleLookup, isMatchableKey } from './title-lookup';

const catalog = fixtureCatalog();
const lookup = createTitleLookup(catalog.items);
const titles = (text: string): string[] => lookup.find(text).map((item) => item.title);

describe('createTitleLookup', () => {
  it.each(['進撃の巨人', 'しんげきのきょじん', 'シンゲキノキョジン', 'ｼﾝｹﾞｷﾉｷｮｼﾞﾝ', '進撃の巨人の新刊はいつ？'])(
    'finds 進撃の巨人 in %s',
    (text) => {
      expect(titles(text)).toEqual(['進撃の巨人']);
    },
  );

  it.each(['ONE PIECE', 'one piece', 'ＯＮＥ　ＰＩＥＣＥ', 'onepiece', 'One Pieceの最新刊'])('finds ONE PIECE in %s', (text) => {
    expect(titles(text)).toEqual(['ONE PIECE']);
  });

  it('lists the works in the order the message names them, each once', () => {
    expect(titles('ONE PIECEと進撃の巨人、どっちが面白い？ワンピースじゃなくてone pieceね')).toEqual(['ONE PIECE', '進撃の巨人']);
    expect(titles('ちはやふるとベルセルク')).toEqual(['ちはやふる', 'ベルセルク']);
  });

  it('prefers the longest title at a position over a shorter one inside it', () => {
    const both = createTitleLookup([
      ...catalog.items,
      makeItem({ id: 'C99999', title: '進撃の巨人 LOST GIRLS', titleReading: 'シンゲキノキョジンロストガールズ' }),
    ]);
    expect(both.find('進撃の巨人 LOST GIRLSの続き').map((item) => item.id)).toEqual(['C99999']);
    expect(both.find('進撃の巨人の続き').map((item) => item.id)).toEqual(['C91061']);
    expect(titles('進撃!巨人中学校が好き')).toEqual(['進撃!巨人中学校']);
  });

  it('finds a glossed title by its main part: NARUTO-ナルト- by "naruto"', () => {
    expect(titles('naruto みたいな漫画')).toEqual(['NARUTO-ナルト-']);
    expect(titles('Can you recommend something like Naruto?')).toEqual(['NARUTO-ナルト-']);
  });

  it('returns every work sharing a key, the exact title first', () => {
    expect(lookup.find('スラムダンク').map((item) => item.id)).toEqual(['C88568', 'C87855']);
  });

  it('matches Latin titles only as whole words', () => {
    expect(titles('what about nana?')).toEqual(['NANA']);
    expect(titles('bananas and a banana split')).toEqual([]);
  });

  it('does not mistake everyday words for short titles', () => {
    // LOVE is a stop word, どっち (3 kana) and ギンタマ (4 kana) are below the kana minimum, 銀魂 below 3.
    expect(titles('I love it, which one? どっちがいい？ 銀魂 ぎんたま')).toEqual([]);
    expect(titles('おすすめの漫画を教えてください')).toEqual([]);
  });

  it('accepts extra stop words', () => {
    const strict = createTitleLookup(catalog.items, { stopWords: ['ベルセルク'] });
    expect(strict.find('ベルセルク').map((item) => item.title)).toEqual([]);
  });

  it('returns nothing for an empty message', () => {
    expect(titles('')).toEqual([]);
    expect(titles('？')).toEqual([]);
  });
});

describe('isMatchableKey', () => {
  const noStops = new Set<string>();
  const key = (s: string): string => compactText(s);

  it('requires 3 characters, 5 for kana-only keys', () => {
    expect(isMatchableKey(key('銀魂'), true, noStops)).toBe(false);
    expect(isMatchableKey(key('寄生獣'), true, noStops)).toBe(true);
    expect(isMatchableKey(key('ギンタマ'), true, noStops)).toBe(false);
    expect(isMatchableKey(key('チハヤフル'), true, noStops)).toBe(true);
  });

  it('requires a letter and, for one word, 4 of them in Latin keys', () => {
    expect(isMatchableKey('1975', true, noStops)).toBe(false);
    expect(isMatchableKey('you', true, noStops)).toBe(false);
    expect(isMatchableKey('nana', true, noStops)).toBe(true);
    expect(isMatchableKey('h2o', false, noStops)).toBe(true);
  });

  it('never matches a stop word', () => {
    expect(isMatchableKey('naruto', true, new Set(['naruto']))).toBe(false);
  });
});
