import { findPersonalData } from './find-personal-data';
import { redactPersonalData } from './redact-personal-data';
import { isbn13Valid, luhnValid } from './luhn';

const kinds = (text: string) => findPersonalData(text).map((m) => `${m.kind}:${m.certainty}:${m.value}`);

describe('personal data in answers and audit records', () => {
  it('finds email addresses, also written in full-width characters', () => {
    expect(kinds('連絡先は taro.yamada+manga@example.co.jp です')).toEqual(['email:high:taro.yamada+manga@example.co.jp']);
    expect(kinds('ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ')).toEqual(['email:high:ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ']);
  });

  it('finds Japanese phone numbers in their usual shapes', () => {
    expect(kinds('携帯 090-1234-5678 まで')).toEqual(['phone:high:090-1234-5678']);
    expect(kinds('TEL 03-1234-5678')).toEqual(['phone:high:03-1234-5678']);
    expect(kinds('フリーダイヤル 0120-123-456')).toEqual(['phone:high:0120-123-456']);
    expect(kinds('(03) 1234-5678')).toEqual(['phone:high:(03) 1234-5678']);
    expect(kinds('call +81 90-1234-5678')).toEqual(['phone:high:+81 90-1234-5678']);
    expect(kinds('０９０ー１２３４ー５６７８')).toEqual(['phone:high:０９０ー１２３４ー５６７８']);
    expect(kinds('09012345678')).toEqual(['phone:high:09012345678']);
    expect(kinds('+1 415 555 0100')).toEqual(['phone:high:+1 415 555 0100']);
  });

  it('marks ten bare digits as only possibly a phone number', () => {
    expect(kinds('注文番号 0312345678')).toEqual(['phone:low:0312345678']);
  });

  it('leaves dates, prices, volumes and times alone', () => {
    expect(kinds('2024-01-15発売、第105巻、¥1,200（税込）、19:30から')).toEqual([]);
  });

  it('finds card numbers that pass the Luhn check, with or without separators', () => {
    expect(kinds('カード 4111 1111 1111 1111 で')).toEqual(['card:high:4111 1111 1111 1111']);
    expect(kinds('5500-0000-0000-0004')).toEqual(['card:high:5500-0000-0000-0004']);
    expect(kinds('JCB 3530111333300000')).toEqual(['card:high:3530111333300000']);
    // One digit off: fails Luhn, so not a card.
    expect(kinds('4111 1111 1111 1112')).toEqual([]);
  });

  it('marks an ISBN that happens to pass Luhn as only possibly a card', () => {
    const isbn = '9784088725031';
    expect(isbn13Valid(isbn)).toBe(true);
    expect(luhnValid(isbn)).toBe(true);
    expect(kinds(`ISBN ${isbn}`)).toEqual([`card:low:${isbn}`]);
  });

  it('redacts every kind and counts them, keeping the rest of the text', () => {
    const { text, counts } = redactPersonalData('mail a@b.jp, tel 090-1234-5678, card 4111111111111111, 第3巻');
    expect(text).toBe('mail [redacted email], tel [redacted phone], card [redacted card], 第3巻');
    expect(counts).toEqual({ email: 1, phone: 1, card: 1 });
  });

  it('keeps possible-only matches when asked for unmistakable ones only', () => {
    expect(redactPersonalData('注文番号 0312345678', { minCertainty: 'high' }).text).toBe('注文番号 0312345678');
    expect(redactPersonalData('注文番号 0312345678').text).toBe('注文番号 [redacted phone]');
  });
});
