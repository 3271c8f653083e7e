import type { Classification, Demographic, Intent, ProductFilters } from '@manga-assist/contracts';

/** Finds catalog titles named in a message, in the order they appear. */
export type TitleFinder = (text: string) => readonly { id: string }[];

// Keyword rules, Japanese and English. Order matters: the first intent whose rule matches wins,
// so the narrower intents (orders, comparisons) come before the broad ones.
const RULES: [Intent, RegExp][] = [
  ['order_status', /注文|配送|発送|届かない|届いて|返品|返金|キャンセル|追跡|支払|決済|\border\b|\bshipping\b|\bdeliver(y|ed)?\b|\btracking\b|\brefund\b|\breturn\b|\bcancel|\bpayment\b|\bcharged?\b/i],
  ['comparison', /比較|比べ|違い|どっち|どちら|\bvs\.?\b|\bversus\b|\bcompare|\bdifference\b|\bbetter than\b|\bwhich is better\b/i],
  ['new_releases', /新刊|新作|最新刊|最新巻|発売日|発売予定|新しく出た|\bnew releases?\b|\blatest\b|\bcoming out\b|\bupcoming\b|\bnext volume\b|\bjust released\b/i],
  ['trending', /人気|話題|売れて|売れ筋|ランキング|流行|はやり|今週の|\btrending\b|\bpopular\b|\bbest[- ]?sell|\btop \d*\s*(manga|titles|books)?|\bhot right now\b|\bwhat's hot\b/i],
  ['recommendation', /おすすめ|オススメ|お勧め|推薦|似た|みたいな|ような作品|\brecommend|\bsuggest|\bsimilar to\b|\blike\b.+\bbut\b|\bwhat should i read\b/i],
  ['chit_chat', /^(こんにちは|こんばんは|おはよう|ありがとう|どうも|はじめまして|hi|hello|hey|thanks|thank you|good (morning|evening))[!！。.\s]*$/i],
];

const DEMOGRAPHIC_WORDS: [Demographic, RegExp][] = [
  ['shonen', /少年|\bsh[oō]u?nen\b/i],
  ['shojo', /少女|\bsh[oō]u?jo\b/i],
  ['seinen', /青年|\bseinen\b/i],
  ['josei', /女性向け|\bjosei\b/i],
  ['kodomo', /子供向け|子ども向け|児童|\bkodomo\b|\bfor kids\b|\bchildren'?s\b/i],
];

const GENRE_BROWSE = /ジャンル|マンガを見せて|漫画を見せて|を探して|\bshow me\b|\bbrowse\b|\bgenre\b|\bmanga for\b/i;
const HIGH_RISK = /カード番号|クレジット|住所|電話番号|パスワード|\bcredit card\b|\baddress\b|\bphone number\b|\bpassword\b/i;
const ANALYSIS = /なぜ|理由|分析|詳しく|説明して|\bwhy\b|\banaly[sz]e\b|\bexplain\b|\bin detail\b|\bpros and cons\b/i;

// "1000円以下", "¥800まで", "under 1000 yen", "less than ¥500", "below 700 JPY"
const MAX_PRICE = [
  /[¥￥]?\s*([\d,，]+)\s*円?\s*(以下|まで|未満|以内)/,
  /(?:under|below|less than|cheaper than|up to|max(?:imum)?|within)\s*[¥￥]?\s*([\d,]+)\s*(?:yen|jpy|円)?/i,
];
const MIN_PRICE = [/[¥￥]?\s*([\d,，]+)\s*円?\s*(以上|より高い)/, /(?:over|above|more than|at least)\s*[¥￥]?\s*([\d,]+)\s*(?:yen|jpy|円)?/i];
const IN_STOCK = /在庫あり|在庫がある|すぐ買える|\bin stock\b|\bavailable now\b/i;
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff]/;

const toInt = (s: string) => Number(s.replace(/[,，]/g, ''));

function extractFilters(text: string): ProductFilters {
  const filters: ProductFilters = {};
  for (const re of MAX_PRICE) {
    const m = re.exec(text);
    if (m?.[1] && toInt(m[1]) > 0) {
      filters.maxPriceJpy = toInt(m[1]);
      break;
    }
  }
  for (const re of MIN_PRICE) {
    const m = re.exec(text);
    if (m?.[1]) {
      filters.minPriceJpy = toInt(m[1]);
      break;
    }
  }
  if (IN_STOCK.test(text)) filters.inStock = true;
  for (const [demographic, re] of DEMOGRAPHIC_WORDS) {
    if (re.test(text)) {
      filters.demographic = demographic;
      break;
    }
  }
  return filters;
}

export function detectLanguage(text: string): 'ja' | 'en' {
  return JAPANESE.test(text) ? 'ja' : 'en';
}

/**
 * Classifies a message in-process (no model call): intent, complexity, risk, search filters and
 * the titles it names. Runs in microseconds, so it can sit first on the critical path.
 */
export function classify(text: string, findTitles: TitleFinder): Classification {
  const titleIds = findTitles(text).map((t) => t.id);
  const filters = extractFilters(text);

  let intent: Intent | undefined = RULES.find(([, re]) => re.test(text))?.[0];
  if (intent === 'new_releases' && titleIds.length > 0 && /\blatest\b|最新刊|最新巻/i.test(text)) intent = 'title_lookup';
  if (!intent && filters.demographic && (GENRE_BROWSE.test(text) || text.length < 40)) intent = 'genre_browse';
  if (!intent && titleIds.length > 0) intent = 'title_lookup';
  if (!intent && GENRE_BROWSE.test(text)) intent = 'genre_browse';
  if (!intent && (filters.maxPriceJpy || filters.demographic || filters.inStock)) intent = 'recommendation';
  intent ??= 'recommendation';
  if (intent === 'comparison' && titleIds.length < 2 && !/\bvs\b|比較|比べ/.test(text)) intent = 'recommendation';

  const questions = (text.match(/[?？]/g) ?? []).length;
  const complex = intent === 'comparison' || ANALYSIS.test(text) || questions > 1 || text.length > 280 || titleIds.length > 2;
  const risk = intent === 'order_status' || HIGH_RISK.test(text) ? 'high' : 'low';

  return { intent, complexity: complex ? 'complex' : 'simple', risk, filters, titleIds };
}

/** The classifier as a port: named titles found through a title index (the retrieval lib's). */
export function createClassifier(titles: { lookupTitles: TitleFinder }): { classify(text: string): Classification } {
  return { classify: (text) => classify(text, (t) => titles.lookupTitles(t)) };
}
