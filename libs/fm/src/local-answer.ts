import type { Demographic, ProductSummary } from '@manga-assist/contracts';
import { detectLanguage } from './language';
import type { ModelGrounding } from './model-provider';

/**
 * The local provider's answer: a template per intent, filled only from the grounding's product rows.
 * Nothing here may state a fact that is not in a row (no synopses, no ratings, no invented titles).
 */
export function composeLocalAnswer(grounding: ModelGrounding): string {
  const t = detectLanguage(grounding.userText) === 'ja' ? JA : EN;
  const products = grounding.products;
  switch (grounding.intent) {
    case 'order_status':
      return t.orderStatus;
    case 'chit_chat':
      return grounding.historyTurns > 0 ? t.chitChatFollowUp : t.chitChat;
    case 'trending':
      return listAnswer(t, t.trendingIntro, products, t.listLine);
    case 'new_releases':
      return listAnswer(t, t.newReleasesIntro, byNextVolumeDate(products), t.releaseLine);
    case 'genre_browse':
      return listAnswer(t, t.genreIntro(sharedDemographic(products)), products, t.genreLine);
    case 'recommendation':
      return listAnswer(t, t.recommendIntro, inStockFirst(products).slice(0, 3), t.recommendLine);
    case 'comparison':
      return comparison(t, products);
    case 'title_lookup':
      return lookup(t, products);
  }
}

function listAnswer(
  t: Templates,
  intro: string,
  products: ProductSummary[],
  line: (p: ProductSummary) => string,
): string {
  if (products.length === 0) return t.nothingFound;
  const lines = products.map((p, i) => `${i + 1}. ${line(p)}`);
  return `${intro}\n${lines.join('\n')}\n${t.storeNote}`;
}

function lookup(t: Templates, products: ProductSummary[]): string {
  const [first, ...rest] = products;
  if (first === undefined) return t.titleNotFound;
  const related = rest.length > 0 ? `\n${t.related(rest.slice(0, 3))}` : '';
  return `${t.details(first)}${related}\n${t.storeNote}`;
}

function comparison(t: Templates, products: ProductSummary[]): string {
  const [a, b] = products;
  if (a === undefined) return t.titleNotFound;
  if (b === undefined) return `${t.onlyOne(a)}\n${t.details(a)}\n${t.storeNote}`;
  return `${t.compareIntro(a, b)}\n${t.compareLines(a, b).join('\n')}\n${t.storeNote}`;
}

function byNextVolumeDate(products: ProductSummary[]): ProductSummary[] {
  // Announced dates first, soonest first; rows without a date keep their ranking after them.
  return [...products].sort((a, b) => {
    if (a.nextVolumeDate === b.nextVolumeDate) return 0;
    if (a.nextVolumeDate === null) return 1;
    if (b.nextVolumeDate === null) return -1;
    return a.nextVolumeDate < b.nextVolumeDate ? -1 : 1;
  });
}

function inStockFirst(products: ProductSummary[]): ProductSummary[] {
  return [...products].sort((a, b) => Number(b.inStock) - Number(a.inStock));
}

function sharedDemographic(products: ProductSummary[]): Demographic | null {
  const first = products[0]?.demographic ?? null;
  return first !== null && products.every((p) => p.demographic === first) ? first : null;
}

function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

interface Templates {
  orderStatus: string;
  chitChat: string;
  chitChatFollowUp: string;
  nothingFound: string;
  titleNotFound: string;
  storeNote: string;
  trendingIntro: string;
  newReleasesIntro: string;
  recommendIntro: string;
  genreIntro(demographic: Demographic | null): string;
  listLine(p: ProductSummary): string;
  releaseLine(p: ProductSummary): string;
  genreLine(p: ProductSummary): string;
  recommendLine(p: ProductSummary): string;
  details(p: ProductSummary): string;
  related(products: ProductSummary[]): string;
  onlyOne(p: ProductSummary): string;
  compareIntro(a: ProductSummary, b: ProductSummary): string;
  compareLines(a: ProductSummary, b: ProductSummary): string[];
}

// ── English ──────────────────────────────────────────────────────────────────────────────────
const enTitle = (p: ProductSummary) => `“${p.title}”`;
const enBy = (p: ProductSummary) => (p.creator === null ? '' : ` by ${p.creator}`);
const enPrice = (yen: number) => `¥${thousands(yen)}`;
const enStock = (p: ProductSummary) => (p.inStock ? 'in stock' : 'out of stock');
const enNext = (p: ProductSummary) => (p.nextVolumeDate === null ? 'not announced' : p.nextVolumeDate);

function enCheaper(a: ProductSummary, b: ProductSummary): string {
  if (a.priceJpy === b.priceJpy) return ' (same price)';
  const [low, high] = a.priceJpy < b.priceJpy ? [a, b] : [b, a];
  return ` (${enTitle(low)} is ${enPrice(high.priceJpy - low.priceJpy)} cheaper)`;
}

const EN: Templates = {
  orderStatus:
    "I'm sorry, I can't see orders from this chat. Please check the order history in your account, or contact our customer support team.",
  chitChat:
    "Hi! I'm the store's manga assistant. I can show you what's trending, upcoming volumes, titles by genre, or recommend something. What are you in the mood for?",
  chitChatFollowUp: 'Happy to help! Ask me about trending titles, upcoming volumes, a genre, or a title you have in mind.',
  nothingFound:
    "I couldn't find matching titles in our catalog right now. Could you tell me a title, a creator or a genre?",
  titleNotFound: "I couldn't find that title in our catalog. Could you check the spelling or give me the creator's name?",
  storeNote: 'Prices are in JPY; prices and stock are as listed in our store.',
  trendingIntro: 'Here is what is popular in our store right now:',
  newReleasesIntro: 'Upcoming volumes in our store:',
  recommendIntro: 'Based on what you asked, I would suggest:',
  genreIntro: (d) => (d === null ? 'Here are some titles that match:' : `Here are some ${d} titles from our catalog:`),
  listLine: (p) => `${enTitle(p)}${enBy(p)}: ${enPrice(p.priceJpy)}, ${enStock(p)}`,
  releaseLine: (p) =>
    `${enTitle(p)}${enBy(p)}: ${p.nextVolumeDate === null ? 'no date announced yet' : `next volume on ${p.nextVolumeDate}`} (${enPrice(p.priceJpy)}, ${enStock(p)})`,
  genreLine: (p) => `${enTitle(p)}${enBy(p)}${p.demographic === null ? '' : ` [${p.demographic}]`}: ${enPrice(p.priceJpy)}, ${enStock(p)}`,
  recommendLine: (p) => {
    const reasons = [
      p.demographic === null ? 'a series' : `a ${p.demographic} series`,
      p.inStock ? `in stock now at ${enPrice(p.priceJpy)}` : `${enPrice(p.priceJpy)}, currently out of stock`,
    ];
    if (p.nextVolumeDate !== null) reasons.push(`with the next volume due ${p.nextVolumeDate}`);
    return `${enTitle(p)}${enBy(p)}: ${reasons.join(', ')}`;
  },
  details: (p) => {
    const parts = [`${enTitle(p)}${enBy(p)}: ${enPrice(p.priceJpy)}, ${enStock(p)}.`];
    if (p.demographic !== null) parts.push(`Demographic: ${p.demographic}.`);
    parts.push(p.nextVolumeDate === null ? 'No next volume has been announced.' : `Next volume: ${p.nextVolumeDate}.`);
    return parts.join(' ');
  },
  related: (products) => `Also in our catalog: ${products.map(enTitle).join(', ')}.`,
  onlyOne: (p) => `I could only find ${enTitle(p)} in our catalog, so there is nothing to compare it with yet.`,
  compareIntro: (a, b) => `Comparing ${enTitle(a)} and ${enTitle(b)}:`,
  compareLines: (a, b) => [
    `- Creator: ${a.creator ?? 'unknown'} vs ${b.creator ?? 'unknown'}`,
    `- Price: ${enPrice(a.priceJpy)} vs ${enPrice(b.priceJpy)}${enCheaper(a, b)}`,
    `- Stock: ${enStock(a)} vs ${enStock(b)}`,
    `- Demographic: ${a.demographic ?? 'unknown'} vs ${b.demographic ?? 'unknown'}`,
    `- Next volume: ${enNext(a)} vs ${enNext(b)}`,
  ],
};

// ── Japanese ─────────────────────────────────────────────────────────────────────────────────
const DEMOGRAPHIC_JA: Record<Demographic, string> = {
  shonen: '少年',
  shojo: '少女',
  seinen: '青年',
  josei: '女性',
  kodomo: '児童',
};
const jaTitle = (p: ProductSummary) => `『${p.title}』`;
const jaBy = (p: ProductSummary) => (p.creator === null ? '' : `（${p.creator}）`);
const jaPrice = (yen: number) => `${thousands(yen)}円`;
const jaStock = (p: ProductSummary) => (p.inStock ? '在庫あり' : '在庫切れ');
const jaDemographic = (d: Demographic | null) => (d === null ? '不明' : `${DEMOGRAPHIC_JA[d]}向け`);

function jaDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m === null ? date : `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}
const jaNext = (p: ProductSummary) => (p.nextVolumeDate === null ? '未定' : `${jaDate(p.nextVolumeDate)}発売予定`);

function jaCheaper(a: ProductSummary, b: ProductSummary): string {
  if (a.priceJpy === b.priceJpy) return '（同じ価格）';
  const [low, high] = a.priceJpy < b.priceJpy ? [a, b] : [b, a];
  return `（${jaTitle(low)}が${jaPrice(high.priceJpy - low.priceJpy)}お得）`;
}

const JA: Templates = {
  orderStatus:
    '申し訳ありません。このチャットでは注文状況を確認できません。アカウントの注文履歴をご確認いただくか、カスタマーサポートまでお問い合わせください。',
  chitChat:
    'こんにちは！当店のマンガアシスタントです。人気作品や新刊、ジャンル別の作品、おすすめをご案内できます。どんな作品をお探しですか？',
  chitChatFollowUp: 'どういたしまして！人気作品、新刊、ジャンル、気になる作品名など、何でも聞いてください。',
  nothingFound: '申し訳ありません。条件に合う作品が見つかりませんでした。作品名・作者・ジャンルなどを教えていただけますか？',
  titleNotFound: '申し訳ありません。その作品は当店のカタログに見つかりませんでした。作品名か作者名をもう一度教えていただけますか？',
  storeNote: '価格（円）と在庫状況は当店の情報です。',
  trendingIntro: '当店でいま人気の作品です。',
  newReleasesIntro: '当店の新刊・続刊の発売予定です。',
  recommendIntro: 'ご質問の内容から、こちらをおすすめします。',
  genreIntro: (d) => (d === null ? 'ご希望に合う作品です。' : `${DEMOGRAPHIC_JA[d]}向けの作品です。`),
  listLine: (p) => `${jaTitle(p)}${jaBy(p)}：${jaPrice(p.priceJpy)}・${jaStock(p)}`,
  releaseLine: (p) => `${jaTitle(p)}${jaBy(p)}：次巻は${jaNext(p)}（${jaPrice(p.priceJpy)}・${jaStock(p)}）`,
  genreLine: (p) => `${jaTitle(p)}${jaBy(p)}：${jaDemographic(p.demographic)}・${jaPrice(p.priceJpy)}・${jaStock(p)}`,
  recommendLine: (p) => {
    const reasons = [p.demographic === null ? null : `${DEMOGRAPHIC_JA[p.demographic]}向け`, jaStock(p), jaPrice(p.priceJpy)];
    if (p.nextVolumeDate !== null) reasons.push(`次巻${jaDate(p.nextVolumeDate)}発売予定`);
    return `${jaTitle(p)}${jaBy(p)}：${reasons.filter((r) => r !== null).join('・')}`;
  },
  details: (p) => {
    const parts = [`${jaTitle(p)}${p.creator === null ? '' : `（作者：${p.creator}）`}は${jaPrice(p.priceJpy)}、${jaStock(p)}です。`];
    if (p.demographic !== null) parts.push(`${DEMOGRAPHIC_JA[p.demographic]}向けの作品です。`);
    parts.push(p.nextVolumeDate === null ? '次巻の発売日は未定です。' : `次巻は${jaDate(p.nextVolumeDate)}発売予定です。`);
    return parts.join('');
  },
  related: (products) => `ほかの候補：${products.map(jaTitle).join('、')}`,
  onlyOne: (p) => `当店のカタログでは${jaTitle(p)}しか見つからなかったため、比較はできませんでした。`,
  compareIntro: (a, b) => `${jaTitle(a)}と${jaTitle(b)}の比較です。`,
  compareLines: (a, b) => [
    `・作者：${a.creator ?? '不明'}／${b.creator ?? '不明'}`,
    `・価格：${jaPrice(a.priceJpy)}／${jaPrice(b.priceJpy)}${jaCheaper(a, b)}`,
    `・在庫：${jaStock(a)}／${jaStock(b)}`,
    `・対象：${jaDemographic(a.demographic)}／${jaDemographic(b.demographic)}`,
    `・次巻：${jaNext(a)}／${jaNext(b)}`,
  ],
};
