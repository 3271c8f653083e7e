import type { ProductSummary } from '@manga-assist/contracts';

/** Catalog rows as retrieval returns them; prices, stock and dates are made up for the tests. */
export const PRODUCTS: ProductSummary[] = [
  { id: 'madb-0001', title: '葬送のフリーレン', creator: '山田鐘人', priceJpy: 572, inStock: true, demographic: 'shonen', nextVolumeDate: '2025-12-18' },
  { id: 'madb-0002', title: 'ベルセルク', creator: '三浦建太郎', priceJpy: 759, inStock: true, demographic: 'seinen', nextVolumeDate: null },
  { id: 'madb-0003', title: 'ちはやふる', creator: '末次由紀', priceJpy: 495, inStock: false, demographic: 'josei', nextVolumeDate: null },
  { id: 'madb-0004', title: 'キングダム', creator: '原泰久', priceJpy: 1210, inStock: false, demographic: 'seinen', nextVolumeDate: '2025-11-19' },
  { id: 'madb-0005', title: 'ONE PIECE', creator: '尾田栄一郎', priceJpy: 594, inStock: true, demographic: 'shonen', nextVolumeDate: '2025-11-04' },
  { id: 'madb-0006', title: 'よつばと!', creator: null, priceJpy: 770, inStock: true, demographic: null, nextVolumeDate: null },
];

/** Titles quoted in an answer: 『…』 in Japanese, “…” in English. */
export function quotedTitles(answer: string): string[] {
  return [...answer.matchAll(/『([^』]+)』|“([^”]+)”/g)].map((m) => (m[1] ?? m[2]) as string);
}

/** Yen amounts in an answer: ¥1,210 in English, 1,210円 in Japanese. */
export function yenAmounts(answer: string): number[] {
  return [...answer.matchAll(/¥([\d,]+)|([\d,]+)円/g)].map((m) => Number(((m[1] ?? m[2]) as string).replace(/,/g, '')));
}

export const JAPANESE_KANA = /[\u3040-\u30ff]/;
