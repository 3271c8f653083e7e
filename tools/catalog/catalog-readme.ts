// data/catalog/README.md, generated with the catalog so its counts always describe the shipped file.
import { SYNTHETIC_RANGES } from '@manga-assist/catalog';
import type { BuildCatalogReport } from './madb-import';

export const MADB_ATTRIBUTION =
  '出典：「メディア芸術データベースデータセット」（独立行政法人国立美術館 国立アートリサーチセンター, https://github.com/mediaarts-db/dataset, ver1.1）を加工して作成。このデータは自由に二次利用可能です。';

const n = (value: number): string => value.toLocaleString('en-US');
const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)}%`;

export function renderCatalogReadme(report: BuildCatalogReport): string {
  const excludedTotal = Object.values(report.excluded).reduce((a, b) => a + b, 0);
  const { priceJpy, stock, weeklySales, volumes, nextVolumeWindowDays } = SYNTHETIC_RANGES;
  return `# Store catalog

\`catalog.jsonl.gz\` is the manga catalog the chatbot answers from: one JSON object per line, gzip'd.
It is built from the Media Arts Database serialization data in [\`../madb/\`](../madb/README.md) by
\`npm run catalog:build\` (\`tools/catalog/build-catalog.ts\`), and read at runtime with
\`loadCatalog()\` from \`@manga-assist/catalog\`, which validates every line against \`CatalogItemSchema\`.

> ${MADB_ATTRIBUTION}

The titles, readings, creators and dates are real. **Prices, stock, sales, volume counts and
release dates are invented** (see below): never present them as facts about the real works.

## The file

| | |
| --- | --- |
| works (lines) | ${n(report.items)} |
| size | ${n(report.bytes)} bytes |
| sha256 | \`${report.sha256}\` |
| order | by MADB ID number |
| synthetic seed | \`${report.seed}\` |
| reference date | ${report.referenceDate} |

The build is deterministic: the same input, seed and reference date give the same bytes (fixed key
order, fixed gzip level 9, no timestamp in the gzip header; a Node.js release with a different zlib
could compress differently). \`catalogHash()\` returns the sha256 above, so persisted indexes and imports can be tied to one exact catalog.

## From ${n(report.sourceRows)} source rows to ${n(report.items)} works

| step | rows |
| --- | ---: |
| rows in \`madb_manga_serializations.csv\` | ${n(report.sourceRows)} |
| excluded: flagged \`likely_non_story\` by the source (titles starting with \`[\`/\`［\`: [表紙] covers, [再録] reprints, [目次], [追悼文], …) | ${n(report.excluded['source-non-story-flag'])} |
| excluded: title starts with \`[\` but not flagged | ${n(report.excluded['bracketed-title'])} |
| excluded: unflagged magazine pages (see below) | ${n(report.excluded['magazine-furniture'])} |
| merged into an earlier row of the same work | ${n(report.mergedDuplicates)} |
| **works** | **${n(report.items)}** |

${n(excludedTotal)} rows are excluded in all (${pct(excludedTotal, report.sourceRows)}).

**Unflagged magazine pages.** The source flags only titles in square brackets. Listing the most
frequent unflagged titles shows more pages that are not stories: titles that are exactly 表紙 (cover),
表紙のことば / 表紙の言葉 / 表紙のおしゃべり (notes on the cover), 目次 (contents), 口絵, 扉, グラビア,
付録, ピンナップ, イラスト, 次号予告 (next-issue preview), 懸賞, 読者コーナー or プレゼント当選者発表,
and titles ending in 広告 (advert slots such as 自社広告, 他社広告, GARO広告) or 目次. Whole titles are
matched, so stories that merely contain these words (表紙を飾ろうぜ!!!) stay.

**Not excluded.** The 10 titles with 【】 are kept: the brackets carry a ruby reading or a
subtitle, as in V【勝利】の口笛 or ff【フォルテッシモ】. No title contains （表紙）. Some reader pages
and editorial features without brackets remain, because telling them from stories would need a
row-by-row judgement.

**Duplicates.** Rows whose title and creator are equal after normalization (NFKC, case, kana,
punctuation and spacing; see \`normalizeText\`) are one work, e.g. a series that ran in two
magazines. The work keeps the earliest \`date_published\` as \`firstPublished\`, lists every MADB ID in
\`madbIds\` (earliest first) and uses the first one as \`id\`. Rows without a creator are merged by
title alone. Works that share a title but not a creator stay separate.

## Fields

Real: copied from the source. Derived: computed from source values only. Synthetic: invented.

| field | kind | meaning |
| --- | --- | --- |
| \`id\` | real | MADB ID of the work's earliest serialization, e.g. \`C87818\` |
| \`madbIds\` | real | every MADB ID merged into the work, earliest first |
| \`title\` | real | title as printed |
| \`titleKana\` | real | reading as the source gives it (katakana, sometimes with romaji); null when the source has none |
| \`titleReading\` | derived | \`titleKana\` reduced to the reading: alternatives such as \`ＭＩＬＫボーイ,ミルクボーイ\` become the all-kana one, and for all-Latin titles a repeated romaji spelling is dropped (\`ＳＬＡＭ ＤＵＮＫ スラムダンク\` → \`スラムダンク\`); ${n(report.titleReadingsCleaned)} works differ from \`titleKana\`. Readings without kana (\`ＯＮＥＰＩＥＣＥ\`) stay as they are |
| \`creator\`, \`creatorKana\` | real | author and reading, as the source gives them (role prefixes like \`[画]\` included) |
| \`originalWorkCreator\`, \`originalWorkCreatorKana\` | real | original-story author; ${n(report.withOriginalWorkCreator)} works |
| \`firstPublished\` | real | earliest serialization start, YYYY-MM-DD; ${n(report.withFirstPublished)} works have one |
| \`demographic\` | derived | shonen / shojo / seinen / josei / kodomo, or null; see below. ${n(report.withDemographic)} works |
| \`genre\` | — | always null: the source has no genres |
| \`category\` | derived | always \`manga\`: the source is a manga database |
| \`language\` | derived | always \`ja\`: every work in the source is Japanese |
| \`madbUri\` | real | the work's page in the Media Arts Database |
| \`synthetic.priceJpy\` | synthetic | tax-included tankobon price, ${priceJpy.min}–${priceJpy.max} yen, about 80% between 500 and 800 |
| \`synthetic.stock\` | synthetic | ${stock.min}–${stock.max}; ${n(report.outOfStock)} works (${pct(report.outOfStock, report.items)}) are out of stock |
| \`synthetic.weeklySales\` | synthetic | copies sold per week, heavily skewed: most titles sell tens, a few thousands (capped at ${n(weeklySales.max)}) |
| \`synthetic.volumes\` | synthetic | ${volumes.min}–${volumes.max}; older works can have longer runs |
| \`synthetic.nextVolumeDate\` | synthetic | YYYY-MM-DD 1–${nextVolumeWindowDays} days after the reference date, or null; ${n(report.withNextVolume)} works (${pct(report.withNextVolume, report.items)}), newer works more often |

Nothing factual is invented for a real work: there are no synopses, English titles, genres or
popularity figures, because the source has none.

**Demographic.** The source has no demographic and does not link a serialization to its
magazine. About 470 of its 10,242 notes mention a magazine, but mostly as something other than
where the work ran: awards of other magazines, guest appearances, moves between magazines and
adverts. Name patterns mislead too: the 1970s ヤングジャンプ賞 was a newcomer award printed in Weekly
Shōnen Jump (こちら葛飾区亀有公園前派出所 won it in 1976), before the magazine Young Jump existed. So
magazine names are not used. A demographic is set only where a note states an award category that
is one: 小学館漫画賞 / 講談社漫画賞 少年・少女・児童・青年 部門, 小学館新人コミック大賞 少年・少女コミック.
Everywhere else it is null, which means unknown.

**Synthetic values.** Each work's values come from a mulberry32 PRNG seeded with the FNV-1a hash of
\`<seed>:<id>\`, plus its \`firstPublished\` year (for volumes, sales and release chance) and the
reference date. The same ID always gets the same values; see \`generateSyntheticFields\`.

## Source fields not copied

\`contributor\` and \`note\` (free-text credits and remarks; \`note\` is read for the demographic only),
\`likely_non_story\` (used for exclusion), and all of \`madb_manga_magazines.csv\`, which has no link
to the serializations. They remain in [\`../madb/\`](../madb/).
`;
}
