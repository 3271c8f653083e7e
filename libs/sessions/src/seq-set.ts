import { z } from 'zod';

/**
 * Which turn seqs a session has taken in: every seq from 1 to `high` except the `missing`
 * ranges (inclusive, ascending). Ranges rather than a list of seqs, so a jump in seq costs one
 * entry, not one per skipped turn.
 */
export const SeqSetSchema = z.object({
  high: z.number().int().nonnegative(),
  missing: z.array(z.tuple([z.number().int().positive(), z.number().int().positive()])),
});
export type SeqSet = z.infer<typeof SeqSetSchema>;

export const EMPTY_SEQ_SET: SeqSet = { high: 0, missing: [] };

/**
 * Bound on the gap ranges a session remembers, so its item stays small whatever arrives. Past it
 * the oldest gap is given up on: a turn from it arriving later counts as already taken in.
 */
export const MAX_GAP_RANGES = 32;

export function hasSeq(set: SeqSet, seq: number): boolean {
  return seq >= 1 && seq <= set.high && !set.missing.some(([from, to]) => seq >= from && seq <= to);
}

/** The highest seq with every seq at or below it taken in. */
export function contiguousThrough(set: SeqSet): number {
  const first = set.missing[0];
  return first === undefined ? set.high : first[0] - 1;
}

export function addSeq(set: SeqSet, seq: number): SeqSet {
  if (hasSeq(set, seq)) return set;
  if (seq > set.high) {
    const missing = [...set.missing];
    if (seq > set.high + 1) missing.push([set.high + 1, seq - 1]);
    return { high: seq, missing: missing.slice(-MAX_GAP_RANGES) };
  }
  const missing = set.missing.flatMap(([from, to]): Array<[number, number]> => {
    if (seq < from || seq > to) return [[from, to]];
    const parts: Array<[number, number]> = [];
    if (from < seq) parts.push([from, seq - 1]);
    if (seq < to) parts.push([seq + 1, to]);
    return parts;
  });
  return { high: set.high, missing };
}
