import { classify, detectLanguage } from './classify';
import type { TitleFinder } from './classify';

// A stand-in catalog of three titles, matched the way the retrieval lib's finder matches them.
const TITLES: Record<string, string[]> = { C1: ['ONE PIECE', 'ワンピース'], C2: ['進撃の巨人'], C3: ['鬼滅の刃'] };
const find: TitleFinder = (text) => {
  const hits: { id: string; at: number }[] = [];
  for (const [id, names] of Object.entries(TITLES)) {
    for (const name of names) {
      const at = text.toLowerCase().indexOf(name.toLowerCase());
      if (at >= 0) hits.push({ id, at });
    }
  }
  return hits.sort((a, b) => a.at - b.at);
};

describe('classify', () => {
  it.each([
    ['今週の人気マンガは？', 'trending'],
    ['trending manga', 'trending'],
    ['人気のマンガ', 'trending'],
    ['新刊', 'new_releases'],
    ['new releases this month', 'new_releases'],
    ['show me shonen', 'genre_browse'],
    ['少年マンガ', 'genre_browse'],
    ['show me seinen', 'genre_browse'],
    ['ONE PIECE latest', 'title_lookup'],
    ['ワンピース 最新刊', 'title_lookup'],
    ['進撃の巨人', 'title_lookup'],
    ['recommend a shonen manga under 1000 yen', 'recommendation'],
    ['進撃の巨人と鬼滅の刃を比較して', 'comparison'],
    ['ONE PIECE vs 鬼滅の刃', 'comparison'],
    ['注文した本が届かない', 'order_status'],
    ['where is my order?', 'order_status'],
    ['こんにちは', 'chit_chat'],
    ['thanks!', 'chit_chat'],
  ])('%s → %s', (text, intent) => {
    expect(classify(text, find).intent).toBe(intent);
  });

  it('extracts price, stock and demographic filters in both languages', () => {
    expect(classify('recommend a shonen manga under 1000 yen', find).filters).toEqual({ maxPriceJpy: 1000, demographic: 'shonen' });
    expect(classify('在庫ありの少女マンガで800円以下', find).filters).toEqual({ maxPriceJpy: 800, inStock: true, demographic: 'shojo' });
    expect(classify('seinen over ¥1,000', find).filters).toEqual({ minPriceJpy: 1000, demographic: 'seinen' });
  });

  it('keeps the order titles are named in, so reversed comparisons differ', () => {
    expect(classify('ONE PIECE vs 鬼滅の刃', find).titleIds).toEqual(['C1', 'C3']);
    expect(classify('鬼滅の刃 vs ONE PIECE', find).titleIds).toEqual(['C3', 'C1']);
  });

  it('routes comparisons and analysis as complex, lookups as simple', () => {
    expect(classify('進撃の巨人と鬼滅の刃を比較して', find).complexity).toBe('complex');
    expect(classify('why is ONE PIECE so popular? and what should I read next?', find).complexity).toBe('complex');
    expect(classify('ONE PIECE latest', find).complexity).toBe('simple');
    expect(classify('trending manga', find).complexity).toBe('simple');
  });

  it('marks orders and payment details as high risk', () => {
    expect(classify('注文した本が届かない', find).risk).toBe('high');
    expect(classify('can I pay with my credit card?', find).risk).toBe('high');
    expect(classify('trending manga', find).risk).toBe('low');
  });

  it('detects the language of the message', () => {
    expect(detectLanguage('今週の人気マンガは？')).toBe('ja');
    expect(detectLanguage('trending manga')).toBe('en');
  });
});
