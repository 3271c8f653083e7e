import { z } from 'zod';
import { INTENTS, IntentSchema } from '@manga-assist/contracts';
import type { ChatTurn } from '@manga-assist/contracts';

/** Longest summary handed to the prompt, in characters. */
export const MAX_SUMMARY_CHARS = 600;

const MAX_ASKED = 6;
const MAX_ANSWERED = 3;
const MAX_NAMED = 6;
const MAX_OFFERED = 6;
const SNIPPET_CHARS = 32;

/**
 * What the summary is rendered from: counts and the newest few snippets of every turn folded in,
 * each list bounded, so the stored state stays small however long the conversation runs.
 */
export const SummaryDigestSchema = z.object({
  turns: z.number().int().nonnegative(),
  fromSeq: z.number().int().nonnegative(),
  throughSeq: z.number().int().nonnegative(),
  intents: z.partialRecord(IntentSchema, z.number().int().positive()),
  /** Titles in 『』 or 「」 the user named, deduplicated, oldest first. */
  named: z.array(z.string()),
  /** Titles in 『』 the answers offered, likewise. */
  offered: z.array(z.string()),
  /** The last price the user named, in yen. */
  budgetJpy: z.number().int().positive().optional(),
  asked: z.array(z.string()),
  answered: z.array(z.string()),
});
export type SummaryDigest = z.infer<typeof SummaryDigestSchema>;

export const EMPTY_DIGEST: SummaryDigest = {
  turns: 0,
  fromSeq: 0,
  throughSeq: 0,
  intents: {},
  named: [],
  offered: [],
  asked: [],
  answered: [],
};

/**
 * Folds one turn into the digest without a model: extractive and deterministic. Turns must be
 * folded in seq order; the result then depends only on which turns were folded.
 */
export function foldTurn(digest: SummaryDigest, turn: ChatTurn): SummaryDigest {
  const budgetJpy = extractBudget(turn.user) ?? digest.budgetJpy;
  return {
    turns: digest.turns + 1,
    fromSeq: digest.turns === 0 ? turn.seq : digest.fromSeq,
    throughSeq: turn.seq,
    intents: { ...digest.intents, [turn.intent]: (digest.intents[turn.intent] ?? 0) + 1 },
    named: pushUnique(digest.named, extractMentions(turn.user), MAX_NAMED),
    offered: pushUnique(digest.offered, extractMentions(turn.assistant, TITLE_ONLY), MAX_OFFERED),
    ...(budgetJpy === undefined ? {} : { budgetJpy }),
    asked: pushBounded(digest.asked, snippet(turn.user), MAX_ASKED),
    answered: pushBounded(digest.answered, snippet(turn.assistant), MAX_ANSWERED),
  };
}

/**
 * The summary line, e.g. `Earlier (turns 1–15): asked about trending (3×), title_lookup (2×);
 * titles 『進撃の巨人』; offered 『…』; budget ¥800; user said 「…」 / 「…」; answered 「…」`.
 * When it is too long the oldest snippets go first, so the newest information survives.
 */
export function renderSummary(digest: SummaryDigest, maxChars = MAX_SUMMARY_CHARS): string {
  if (digest.turns === 0) return '';
  const parts = {
    named: [...digest.named],
    offered: [...digest.offered],
    asked: [...digest.asked],
    answered: [...digest.answered],
  };
  const render = (): string => {
    const range = digest.fromSeq === digest.throughSeq ? `turn ${digest.fromSeq}` : `turns ${digest.fromSeq}–${digest.throughSeq}`;
    const clauses = [`asked about ${intentCounts(digest)}`];
    if (parts.named.length > 0) clauses.push(`titles ${parts.named.map((t) => `『${t}』`).join(', ')}`);
    if (parts.offered.length > 0) clauses.push(`offered ${parts.offered.map((t) => `『${t}』`).join(', ')}`);
    if (digest.budgetJpy !== undefined) clauses.push(`budget ¥${digest.budgetJpy}`);
    if (parts.asked.length > 0) clauses.push(`user said ${parts.asked.map((s) => `「${s}」`).join(' / ')}`);
    if (parts.answered.length > 0) clauses.push(`answered ${parts.answered.map((s) => `「${s}」`).join(' / ')}`);
    return `Earlier (${range}): ${clauses.join('; ')}`;
  };
  let text = render();
  // Oldest first within each list; what the user said and named outlasts what we answered.
  const trimOrder: Array<keyof typeof parts> = ['answered', 'offered', 'asked', 'named'];
  while (charLength(text) > maxChars) {
    // Each kind keeps its newest entry as long as anything else can go.
    const lists = trimOrder.map((name) => parts[name]);
    const list = lists.find((l) => l.length > 1) ?? lists.find((l) => l.length > 0);
    if (list === undefined) break;
    list.shift();
    text = render();
  }
  return charLength(text) > maxChars ? `${Array.from(text).slice(0, maxChars - 1).join('')}…` : text;
}

function intentCounts(digest: SummaryDigest): string {
  return INTENTS.filter((intent) => digest.intents[intent] !== undefined)
    .map((intent) => ({ intent, count: digest.intents[intent] ?? 0 }))
    .sort((a, b) => b.count - a.count || INTENTS.indexOf(a.intent) - INTENTS.indexOf(b.intent))
    .map(({ intent, count }) => (count > 1 ? `${intent} (${count}×)` : intent))
    .join(', ');
}

// 『』 marks a work's title; users also write 「」 for one, but answers use 「」 for UI labels and quotes.
const MENTION = /[『「]([^』」\n]{1,40})[』」]/g;
const TITLE_ONLY = /『([^』\n]{1,40})』/g;

function extractMentions(text: string, pattern: RegExp = MENTION): string[] {
  return Array.from(text.matchAll(pattern), (m) => (m[1] ?? '').trim()).filter((t) => t.length > 0);
}

const PRICE = /[¥￥]\s*([0-9][0-9,]*)|([0-9][0-9,]*)\s*(?:円|yen\b)/gi;

function extractBudget(text: string): number | undefined {
  let last: number | undefined;
  for (const m of text.matchAll(PRICE)) {
    const value = Number((m[1] ?? m[2] ?? '').replace(/,/g, ''));
    if (Number.isSafeInteger(value) && value > 0) last = value;
  }
  return last;
}

/** The first sentence, whitespace collapsed, cut to a few characters (code points, not UTF-16 units). */
function snippet(text: string): string {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  // Japanese full stops end a sentence anywhere; ASCII ones only before a space ("Dr.STONE", "ハイキュー!!").
  const sentence = collapsed.split(/(?<=[。！？])|(?<=[.!?])\s/u)[0] ?? collapsed;
  const chars = Array.from(sentence.trim());
  return chars.length > SNIPPET_CHARS ? `${chars.slice(0, SNIPPET_CHARS - 1).join('')}…` : chars.join('');
}

function pushUnique(list: readonly string[], items: readonly string[], max: number): string[] {
  const next = list.filter((t) => !items.includes(t));
  for (const item of items) if (!next.includes(item)) next.push(item);
  return next.slice(-max);
}

function pushBounded(list: readonly string[], item: string, max: number): string[] {
  return item === '' ? [...list] : [...list, item].slice(-max);
}

function charLength(text: string): number {
  return Array.from(text).length;
}
