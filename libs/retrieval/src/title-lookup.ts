import { compactText, normalizeText } from '@manga-assist/catalog';
import type { CatalogItem } from '@manga-assist/catalog';

import { TITLE_STOP_WORDS } from './title-stop-words';

export interface TitleLookupOptions {
  /** Words never to treat as titles, on top of `TITLE_STOP_WORDS`; any form `compactText` maps to the same key. */
  stopWords?: readonly string[];
}

export interface TitleLookup {
  /** Works whose title or reading is named in `text`, in the order they appear; each work once. */
  find(text: string): CatalogItem[];
  /** How many distinct keys the lookup matches on (for logs). */
  readonly keyCount: number;
  /** Adds works or replaces them by id (their old keys are dropped); touches only their keys. */
  upsert(items: readonly CatalogItem[]): void;
}

/**
 * Which keys may be matched at all. A key is a title, a reading or a title's main part (see
 * `titleAliases`), in `compactText` form. The rule, chosen so everyday messages name no title:
 * - at least 3 characters (銀魂 and 蟲師 are found by their readings ぎんたま… or by the vector search);
 * - kana-only keys at least 5 (どっち, はじめ, おねがい are everyday words; しんげきのきょじん is fine);
 * - Latin keys need a letter (no "1975" inside "1975年"), match whole words only, and a one-word
 *   Latin key needs 4+ letters ("you", "out" are titles too);
 * - never a stop word (genre and shop vocabulary, greetings, frequent English words).
 */
export function isMatchableKey(key: string, singleWord: boolean, stopKeys: ReadonlySet<string>): boolean {
  if (key.length < MIN_KEY_LENGTH || stopKeys.has(key)) return false;
  if (KANA_ONLY.test(key)) return key.length >= MIN_KANA_KEY_LENGTH;
  if (LATIN_ONLY.test(key)) return HAS_LETTER.test(key) && (!singleWord || key.length >= MIN_LATIN_WORD_LENGTH);
  return true;
}

const MIN_KEY_LENGTH = 3;
const MIN_KANA_KEY_LENGTH = 5;
const MIN_LATIN_WORD_LENGTH = 4;
const KANA_ONLY = /^[\u3041-\u309f\u30fc]+$/u; // hiragana (katakana is folded into it) and ー
const LATIN_ONLY = /^[a-z0-9]+$/;
const HAS_LETTER = /[a-z]/;
// Each position of a message only tries the key lengths seen after its first 3 characters.
const PREFIX_LENGTH = MIN_KEY_LENGTH;

// "NARUTO-ナルト-", "東京喰種[トーキョーグール]", "ESQUISSE ～エスキース～": a title followed by its own
// gloss. People type the main part alone, so it is a key too.
const GLOSSED_TITLE = /^(.+?)\s*[-－―～〜【［[（(]([^-－―～〜【】［］[\]（）()]+)[-－―～〜】］\]）)]\s*$/u;

function titleAliases(title: string): string[] {
  const match = GLOSSED_TITLE.exec(title);
  return match ? [match[1]] : [];
}

function isLatinChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a); // 0-9 a-z after normalizeText
}

/** A message in key form: `compactText` plus, per character, whether a separator preceded it. */
interface CompactMessage {
  text: string;
  /** separated[i]: whitespace or punctuation stood between text[i - 1] and text[i]; always 1 at both ends. */
  separated: Uint8Array;
}

function toCompactMessage(raw: string): CompactMessage {
  const normalized = normalizeText(raw);
  const separated = new Uint8Array(normalized.length + 1);
  let text = '';
  let pending = true;
  for (let i = 0; i < normalized.length; i++) {
    const ch = normalized[i];
    if (ch === ' ') {
      pending = true;
      continue;
    }
    separated[text.length] = pending ? 1 : 0;
    text += ch;
    pending = false;
  }
  separated[text.length] = 1;
  return { text, separated };
}

/** A Latin key matches whole words only: "nana" is not found inside "bananas". */
function onWordBoundaries(message: CompactMessage, start: number, end: number): boolean {
  const { text, separated } = message;
  const glued = (at: number): boolean =>
    !separated[at] && isLatinChar(text.charCodeAt(at - 1)) && isLatinChar(text.charCodeAt(at));
  return !glued(start) && !glued(end);
}

interface KeyEntry {
  item: CatalogItem;
  /** 0 title, 1 reading, 2 alias: an exact title outranks a work that merely reads the same. */
  rank: number;
}

/**
 * An in-memory index from title keys to works, built once from the catalog (~0.4 s for the full
 * catalog). `find` walks the message once, leftmost-longest, probing a Map per position: a few
 * microseconds for a chat message.
 */
export function createTitleLookup(items: readonly CatalogItem[], options: TitleLookupOptions = {}): TitleLookup {
  const stopKeys = new Set([...TITLE_STOP_WORDS, ...(options.stopWords ?? [])].map(compactText));
  const entriesByKey = new Map<string, KeyEntry[]>();
  // The keys of each work, so an update can take its old ones out.
  const keysById = new Map<string, string[]>();
  const add = (source: string, item: CatalogItem, rank: number): string | null => {
    const normalized = normalizeText(source);
    const key = normalized.replace(/ /g, '');
    if (!isMatchableKey(key, !normalized.includes(' '), stopKeys)) return null;
    const entries = entriesByKey.get(key);
    if (!entries) entriesByKey.set(key, [{ item, rank }]);
    else if (!entries.some((entry) => entry.item === item)) entries.push({ item, rank });
    return key;
  };
  const addItem = (item: CatalogItem): string[] => {
    const keys = [add(item.title, item, 0), item.titleReading ? add(item.titleReading, item, 1) : null, ...titleAliases(item.title).map((alias) => add(alias, item, 2))];
    const kept = keys.filter((key): key is string => key !== null);
    keysById.set(item.id, kept);
    return kept;
  };
  for (const item of items) addItem(item);

  const worksByKey = new Map<string, CatalogItem[]>();
  const lengthsByPrefix = new Map<string, number[]>();
  const indexKey = (key: string, entries: KeyEntry[]): void => {
    // Works sharing a key: exact titles first, then best sellers, then by ID so the order is stable.
    entries.sort(
      (a, b) =>
        a.rank - b.rank ||
        b.item.synthetic.weeklySales - a.item.synthetic.weeklySales ||
        (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0),
    );
    worksByKey.set(
      key,
      entries.map((entry) => entry.item),
    );
    const prefix = key.slice(0, PREFIX_LENGTH);
    const lengths = lengthsByPrefix.get(prefix);
    if (!lengths) lengthsByPrefix.set(prefix, [key.length]);
    else if (!lengths.includes(key.length)) {
      lengths.push(key.length);
      lengths.sort((a, b) => b - a);
    }
  };
  for (const [key, entries] of entriesByKey) indexKey(key, entries);
  for (const lengths of lengthsByPrefix.values()) lengths.sort((a, b) => b - a);

  const upsert = (updated: readonly CatalogItem[]): void => {
    const touched = new Set<string>();
    for (const item of updated) {
      for (const key of keysById.get(item.id) ?? []) {
        const rest = (entriesByKey.get(key) ?? []).filter((entry) => entry.item.id !== item.id);
        if (rest.length > 0) entriesByKey.set(key, rest);
        else entriesByKey.delete(key);
        touched.add(key);
      }
      for (const key of addItem(item)) touched.add(key);
    }
    for (const key of touched) {
      const entries = entriesByKey.get(key);
      // A length left behind by a removed key only costs a failed Map probe.
      if (entries) indexKey(key, entries);
      else worksByKey.delete(key);
    }
  };

  const find = (raw: string): CatalogItem[] => {
    const message = toCompactMessage(raw);
    const { text } = message;
    const found: CatalogItem[] = [];
    const seen = new Set<string>();
    let i = 0;
    // Leftmost-longest and non-overlapping: 進撃の巨人 is one work, not also a shorter title inside it.
    while (i + PREFIX_LENGTH <= text.length) {
      let matched = 0;
      for (const length of lengthsByPrefix.get(text.slice(i, i + PREFIX_LENGTH)) ?? []) {
        if (i + length > text.length) continue;
        const works = worksByKey.get(text.slice(i, i + length));
        if (!works || !onWordBoundaries(message, i, i + length)) continue;
        for (const work of works) {
          if (seen.has(work.id)) continue;
          seen.add(work.id);
          found.push(work);
        }
        matched = length;
        break;
      }
      i += matched || 1;
    }
    return found;
  };

  return {
    find,
    get keyCount() {
      return worksByKey.size;
    },
    upsert,
  };
}
