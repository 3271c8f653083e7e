import {
  CATALOG_REFERENCE_DATE,
  SYNTHETIC_RANGES,
  fnv1a32,
  generateSyntheticFields,
  mulberry32,
  seededRandom,
} from './synthetic';
import type { SyntheticStoreFields } from './synthetic';

const daysAfterReference = (date: string): number =>
  (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${CATALOG_REFERENCE_DATE}T00:00:00Z`)) / 86_400_000;

// A spread of IDs and start dates like the real catalogue's.
const sample: { madbId: string; firstPublished: string | null }[] = Array.from({ length: 20_000 }, (_, i) => ({
  madbId: `C${87_000 + i}`,
  firstPublished: i % 40 === 0 ? null : `${1947 + (i % 71)}-0${1 + (i % 9)}-1${i % 10}`,
}));
const generated: SyntheticStoreFields[] = sample.map((input) => generateSyntheticFields(input));
const share = (predicate: (fields: SyntheticStoreFields) => boolean): number =>
  generated.filter(predicate).length / generated.length;

describe('seeded PRNG', () => {
  it('is a pure function of key and seed', () => {
    const a = seededRandom('C87818');
    const b = seededRandom('C87818');
    const c = seededRandom('C87818', 'another-seed');
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
  });

  it('returns values in [0, 1)', () => {
    const random = mulberry32(fnv1a32('range'));
    const values = Array.from({ length: 10_000 }, random);
    expect(values.filter((value) => !(value >= 0 && value < 1))).toEqual([]);
  });

  it('hashes with standard FNV-1a', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
  });
});

describe('generateSyntheticFields', () => {
  it('gives the same madb_id the same values every time', () => {
    const onePiece = { madbId: 'C87818', firstPublished: '1997-08-04' };
    expect(generateSyntheticFields(onePiece)).toEqual(generateSyntheticFields({ ...onePiece }));
    // Pinned: a change here reshuffles the whole store, so it must be deliberate.
    expect(generateSyntheticFields(onePiece)).toEqual({
      priceJpy: 517,
      stock: 2,
      weeklySales: 44,
      volumes: 36,
      nextVolumeDate: '2026-12-03',
    });
  });

  it('gives different works different values', () => {
    const a = generateSyntheticFields({ madbId: 'C87818', firstPublished: '1997-08-04' });
    const b = generateSyntheticFields({ madbId: 'C91061', firstPublished: '1997-08-04' });
    expect(a).not.toEqual(b);
  });

  it('keeps every field within its store range', () => {
    const within = (value: number, range: { min: number; max: number }): boolean =>
      Number.isInteger(value) && value >= range.min && value <= range.max;
    const outOfRange = generated.filter(
      (f) =>
        !within(f.priceJpy, SYNTHETIC_RANGES.priceJpy) ||
        !within(f.stock, SYNTHETIC_RANGES.stock) ||
        !within(f.weeklySales, SYNTHETIC_RANGES.weeklySales) ||
        !within(f.volumes, SYNTHETIC_RANGES.volumes) ||
        (f.nextVolumeDate !== null &&
          !within(daysAfterReference(f.nextVolumeDate), { min: 1, max: SYNTHETIC_RANGES.nextVolumeWindowDays })),
    );
    expect(outOfRange).toEqual([]);
  });

  it('looks like a Japanese store: mostly 500–800 yen, ~8% out of stock, skewed sales', () => {
    expect(share((f) => f.priceJpy >= 500 && f.priceJpy <= 800)).toBeGreaterThan(0.7);
    expect(share((f) => f.stock === 0)).toBeCloseTo(0.08, 1);
    expect(share((f) => f.weeklySales < 100)).toBeGreaterThan(0.8);
    expect(generated.some((f) => f.weeklySales >= 1000)).toBe(true);
    expect(share((f) => f.weeklySales >= 1000)).toBeLessThan(0.02);
  });

  it('schedules a next volume for roughly 15% of works, newer ones more often', () => {
    expect(share((f) => f.nextVolumeDate !== null)).toBeGreaterThan(0.1);
    expect(share((f) => f.nextVolumeDate !== null)).toBeLessThan(0.25);
    const scheduled = (from: number, to: number): number => {
      const era = sample
        .map((input, i) => ({ year: Number(input.firstPublished?.slice(0, 4)), fields: generated[i] }))
        .filter(({ year }) => year >= from && year <= to);
      return era.filter(({ fields }) => fields.nextVolumeDate !== null).length / era.length;
    };
    expect(scheduled(2005, 2017)).toBeGreaterThan(2 * scheduled(1947, 1970));
  });

  it('gives older works room for longer runs', () => {
    const longest = (from: number, to: number): number =>
      Math.max(
        ...sample
          .map((input, i) => ({ year: Number(input.firstPublished?.slice(0, 4)), volumes: generated[i].volumes }))
          .filter(({ year }) => year >= from && year <= to)
          .map(({ volumes }) => volumes),
      );
    expect(longest(1947, 1965)).toBeGreaterThan(longest(2010, 2017));
  });
});
