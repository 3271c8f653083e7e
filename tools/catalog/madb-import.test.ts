import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { SERIALIZATIONS_CSV, buildCatalog, demographicFromNote, exclusionReason, titleReadingOf } from './madb-import';
import { generateSyntheticFields, loadCatalog } from '@manga-assist/catalog';

const HEADER =
  'madb_id,title,title_kana,creator,creator_kana,original_work_creator,original_work_creator_kana,contributor,date_published,note,likely_non_story,madb_uri';
const row = (id: string, title: string, kana: string, creator: string, date: string, note = '', nonStory = false) =>
  [
    id,
    title,
    kana,
    creator,
    '',
    '',
    '',
    '',
    date,
    note,
    String(nonStory),
    `https://mediaarts-db.artmuseums.go.jp/id/${id}`,
  ].join(',');

// Real rows from the source, plus the shapes the build must handle.
const FIXTURE = [
  HEADER,
  row('C87855', 'SLAM DUNK', 'ＳＬＡＭ ＤＵＮＫ スラムダンク', '井上雄彦', '1990-10-01', '新連載1990年10月1日号（42）'),
  row('C87818', 'ONE PIECE', 'ＯＮＥＰＩＥＣＥ', '尾田栄一郎', '1997-08-04'),
  row('C91061', '進撃の巨人', 'シンゲキノキョジン', '諫山創', '2010-02-17'),
  row('C88675', 'こちら葛飾区亀有公園前派出所', 'コチラカツシカクカメアリコウエンマエハシュツジョ', '秋本治', '1976-07-19'),
  // the same work again, later, in another magazine, with different spacing and width
  row('C105231', 'こちら葛飾区亀有公園前派出所 ', 'コチラカツシカクカメアリコウエンマエハシュツジョ', '秋本治', '1977-01-01'),
  // a different work with the same title
  row('C99001', '恋', 'コイ', '作者甲', '1980-01-01'),
  row('C99002', '恋', 'コイ', '作者乙', '1981-01-01'),
  row('C92326', '結界師', 'ケッカイシ', '田辺イエロウ', '2003-05-07', '第52回小学館漫画賞少年向け部門受賞'),
  row('C88056', '[表紙]', 'ヒョウシ', '', '1990-01-01', '', true),
  row('C104068', '［表紙］', 'ヒョウシ', '佐藤まり子', '', '', true),
  row('C100948', '表紙', '', '沢井一三郎', '1955-01-01'),
  row('C112936', '自社広告', '', '', '1970-01-01'),
  row('C87900', 'V【勝利】の口笛', 'ショウリノクチブエ', 'ながやす巧', '1971-08-23'),
  row('C90000', '日付なし', 'ヒヅケナシ', '', ''),
].join('\n');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'catalog-build-'));
  writeFileSync(path.join(dir, SERIALIZATIONS_CSV), `${FIXTURE}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('buildCatalog', () => {
  it('produces identical bytes when run twice', async () => {
    const first = path.join(dir, 'first.jsonl.gz');
    const second = path.join(dir, 'second.jsonl.gz');
    const a = await buildCatalog({ inputDir: dir, outputFile: first });
    const b = await buildCatalog({ inputDir: dir, outputFile: second });
    expect(readFileSync(first).equals(readFileSync(second))).toBe(true);
    expect(a.sha256).toBe(b.sha256);
  });

  it('excludes non-story rows, merges duplicates and keeps real fields', async () => {
    const outputFile = path.join(dir, 'catalog.jsonl.gz');
    const report = await buildCatalog({ inputDir: dir, outputFile });
    expect(report.sourceRows).toBe(14);
    expect(report.excluded).toEqual({ 'source-non-story-flag': 2, 'bracketed-title': 0, 'magazine-furniture': 2 });
    expect(report.mergedDuplicates).toBe(1);

    const catalog = await loadCatalog(outputFile);
    expect(report.items).toBe(catalog.items.length);
    expect(catalog.items.map((i) => i.title)).not.toContain('表紙');
    expect(catalog.items.some((i) => i.title.startsWith('[') || i.title.startsWith('［'))).toBe(false);
    expect(catalog.items.map((i) => i.title)).toContain('V【勝利】の口笛');
    expect(catalog.items.filter((i) => i.title === '恋')).toHaveLength(2);

    const kochikame = catalog.byId.get('C88675');
    expect(kochikame?.madbIds).toEqual(['C88675', 'C105231']);
    expect(kochikame?.firstPublished).toBe('1976-07-19');
    expect(catalog.byId.has('C105231')).toBe(false);

    const slamDunk = catalog.byId.get('C87855');
    expect(slamDunk).toMatchObject({
      title: 'SLAM DUNK',
      titleKana: 'ＳＬＡＭ ＤＵＮＫ スラムダンク',
      titleReading: 'スラムダンク',
      creator: '井上雄彦',
      creatorKana: null,
      originalWorkCreator: null,
      firstPublished: '1990-10-01',
      demographic: null,
      genre: null,
      category: 'manga',
      language: 'ja',
      madbUri: 'https://mediaarts-db.artmuseums.go.jp/id/C87855',
    });
    expect(slamDunk?.synthetic).toEqual(generateSyntheticFields({ madbId: 'C87855', firstPublished: '1990-10-01' }));
    expect(catalog.byId.get('C92326')?.demographic).toBe('shonen');
    expect(catalog.byId.get('C90000')).toMatchObject({ firstPublished: null, creator: null });
  });

  it('writes keys in a fixed order', async () => {
    const outputFile = path.join(dir, 'order.jsonl.gz');
    await buildCatalog({ inputDir: dir, outputFile });
    const { items } = await loadCatalog(outputFile);
    expect(Object.keys(items[0])).toEqual([
      'id',
      'madbIds',
      'title',
      'titleKana',
      'titleReading',
      'creator',
      'creatorKana',
      'originalWorkCreator',
      'originalWorkCreatorKana',
      'firstPublished',
      'demographic',
      'genre',
      'category',
      'language',
      'madbUri',
      'synthetic',
    ]);
    expect(items.map((i) => i.id)).toEqual([...items.map((i) => i.id)].sort((a, b) => +a.slice(1) - +b.slice(1)));
  });
});

describe('exclusionReason', () => {
  const reason = (title: string, nonStory = false) =>
    exclusionReason({ title, likely_non_story: String(nonStory) });

  it('trusts the source flag', () => {
    expect(reason('[再録]赤い竹', true)).toBe('source-non-story-flag');
  });

  it('catches bracketed titles the source missed', () => {
    expect(reason('[表紙イラスト]')).toBe('bracketed-title');
    expect(reason('［表紙］')).toBe('bracketed-title');
  });

  it('catches whole-title magazine pages, not stories that mention them', () => {
    expect(reason('表紙')).toBe('magazine-furniture');
    expect(reason('目次')).toBe('magazine-furniture');
    expect(reason('他社広告')).toBe('magazine-furniture');
    expect(reason('クラスの主張! 少年サンデーの表紙を飾ろうぜ!!!')).toBeNull();
    expect(reason('広告漫画サクラトピア')).toBeNull();
    expect(reason('ONE PIECE')).toBeNull();
  });
});

describe('titleReadingOf', () => {
  it('drops a romaji spelling repeated before the katakana of an all-Latin title', () => {
    expect(titleReadingOf('SLAM DUNK', 'ＳＬＡＭ ＤＵＮＫ スラムダンク')).toBe('スラムダンク');
    expect(titleReadingOf('UQ HOLDER!', 'ＵＱ ＨＯＬＤＥＲ ユーキューホルダー')).toBe('ユーキューホルダー');
    expect(titleReadingOf('FAIRY TAIL', 'ＦＡＩＲＹＴＡＩＬ フェアリーテイル')).toBe('フェアリーテイル');
  });

  it('keeps Latin that is part of the reading', () => {
    expect(titleReadingOf('ＦＢＩ物語', 'ＦＢＩモノガタリ')).toBe('ＦＢＩモノガタリ');
    expect(titleReadingOf('THEシャドウ', 'ＴＨＥシャドウ')).toBe('ＴＨＥシャドウ');
    expect(titleReadingOf('M.A ミステリーゾーン', 'M.A ミステリーゾーン')).toBe('M.A ミステリーゾーン');
    expect(titleReadingOf('ONE PIECE', 'ＯＮＥＰＩＥＣＥ')).toBe('ＯＮＥＰＩＥＣＥ');
  });

  it('picks the kana one of comma-separated alternatives', () => {
    expect(titleReadingOf('MILKボーイ', 'ＭＩＬＫボーイ,ミルクボーイ')).toBe('ミルクボーイ');
    expect(titleReadingOf('8マン', '８マン,エイトマン')).toBe('エイトマン');
    expect(titleReadingOf('性宇宙', 'セイウチュウ,SEX COSMOS')).toBe('セイウチュウ');
    expect(titleReadingOf('ごめんね,BOY', 'ゴメンネ,BOY')).toBe('ゴメンネ,BOY');
  });

  it('is null without a reading', () => {
    expect(titleReadingOf('表紙', '')).toBeNull();
  });
});

describe('demographicFromNote', () => {
  it('reads award categories that name a demographic', () => {
    expect(demographicFromNote('第52回小学館漫画賞少年向け部門受賞')).toBe('shonen');
    expect(demographicFromNote('第25回小学館漫画賞(青年一般向け部門)受賞')).toBe('seinen');
    expect(demographicFromNote('第33回講談社漫画賞少年部門受賞')).toBe('shonen');
  });

  it('does not guess from magazine names', () => {
    // 1970s ヤングジャンプ賞 was a Weekly Shōnen Jump award; こち亀 is not seinen.
    expect(demographicFromNote('4月期ヤングジャンプ賞入選作品')).toBeNull();
    expect(demographicFromNote('『ビッグコミック増刊』に連載の作品。')).toBeNull();
    expect(demographicFromNote('第51回小学館漫画賞一般向け部門受賞')).toBeNull();
    expect(demographicFromNote('')).toBeNull();
  });
});
