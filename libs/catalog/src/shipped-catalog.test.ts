// Checks the committed data/catalog/catalog.jsonl.gz itself: what the chatbot will actually serve.
import type { Catalog } from './load-catalog';
import { catalogHash, defaultCatalogPath, loadCatalog } from './load-catalog';
import { normalizeText } from './normalize';
import { CATALOG_REFERENCE_DATE, SYNTHETIC_RANGES, generateSyntheticFields } from './synthetic';

let catalog: Catalog;
beforeAll(async () => {
  catalog = await loadCatalog();
});

const byTitle = (title: string) => catalog.items.filter((item) => item.title === title);

describe('the shipped catalog', () => {
  it('loads and has more than 25,000 works', () => {
    expect(catalog.items.length).toBeGreaterThan(25_000);
    expect(catalog.byId.size).toBe(catalog.items.length);
  });

  it('has a hash equal to the file sha256', async () => {
    expect(catalog.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await catalogHash(defaultCatalogPath())).toBe(catalog.hash);
  });

  it('contains ONE PIECE by 尾田栄一郎', () => {
    expect(byTitle('ONE PIECE')).toEqual([
      expect.objectContaining({ id: 'C87818', creator: '尾田栄一郎', firstPublished: '1997-08-04' }),
    ]);
  });

  it('contains 進撃の巨人 and finds SLAM DUNK by its katakana reading', () => {
    expect(byTitle('進撃の巨人')).toEqual([expect.objectContaining({ creator: '諫山創' })]);
    const reading = normalizeText('スラムダンク');
    const hits = catalog.items.filter((item) => item.titleReading && normalizeText(item.titleReading) === reading);
    expect(hits.map((item) => item.title)).toContain('SLAM DUNK');
  });

  it('has no covers, inserts or other bracketed non-story pages', () => {
    expect(catalog.items.filter((item) => item.title.startsWith('[') || item.title.startsWith('［'))).toEqual([]);
    expect(byTitle('表紙')).toEqual([]);
    expect(byTitle('目次')).toEqual([]);
  });

  it('keeps every synthetic field within range', () => {
    const { priceJpy, stock, weeklySales, volumes, nextVolumeWindowDays } = SYNTHETIC_RANGES;
    const lastReleaseDate = new Date(Date.parse(`${CATALOG_REFERENCE_DATE}T00:00:00Z`) + nextVolumeWindowDays * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const within = (value: number, range: { min: number; max: number }): boolean =>
      Number.isInteger(value) && value >= range.min && value <= range.max;
    const outOfRange = catalog.items.filter(
      ({ synthetic }) =>
        !within(synthetic.priceJpy, priceJpy) ||
        !within(synthetic.stock, stock) ||
        !within(synthetic.weeklySales, weeklySales) ||
        !within(synthetic.volumes, volumes) ||
        (synthetic.nextVolumeDate !== null &&
          !(synthetic.nextVolumeDate > CATALOG_REFERENCE_DATE && synthetic.nextVolumeDate <= lastReleaseDate)),
    );
    expect(outOfRange.map((item) => item.id)).toEqual([]);
    const share = (n: number) => n / catalog.items.length;
    expect(share(catalog.items.filter((i) => i.synthetic.stock === 0).length)).toBeCloseTo(0.08, 1);
    expect(share(catalog.items.filter((i) => i.synthetic.nextVolumeDate !== null).length)).toBeCloseTo(0.15, 1);
  });

  it('matches the generator: each ID always gets the same synthetic values', () => {
    const differing = catalog.items.filter(
      (item) =>
        JSON.stringify(item.synthetic) !==
        JSON.stringify(generateSyntheticFields({ madbId: item.id, firstPublished: item.firstPublished })),
    );
    // A difference means the generator changed without a rebuild: run npm run catalog:build.
    expect(differing.map((item) => item.id)).toEqual([]);
  });

  it('invents nothing factual: no genres, and demographics only where the source states one', () => {
    expect(catalog.items.every((item) => item.genre === null)).toBe(true);
    expect(catalog.items.filter((item) => item.demographic !== null).length).toBeLessThan(50);
    expect(catalog.items.every((item) => item.category === 'manga' && item.language === 'ja')).toBe(true);
  });

  it('lists every merged MADB ID with the work ID first', () => {
    expect(catalog.items.filter((item) => item.madbIds[0] !== item.id)).toEqual([]);
    const allIds = catalog.items.flatMap((item) => item.madbIds);
    expect(new Set(allIds).size).toBe(allIds.length);
  });
});
