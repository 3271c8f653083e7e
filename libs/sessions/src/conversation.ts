import { z } from 'zod';
import { ChatTurnSchema } from '@manga-assist/contracts';
import type { ChatTurn } from '@manga-assist/contracts';
import { EMPTY_DIGEST, SummaryDigestSchema, foldTurn, renderSummary } from './rolling-summary';
import { EMPTY_SEQ_SET, SeqSetSchema, addSeq, hasSeq } from './seq-set';
import type { SeqSet } from './seq-set';

/**
 * The conversation part of a session, as stored in its `ctx` attribute: the newest turns, the
 * summary of everything older, and the bookkeeping that keeps both independent of delivery order.
 * Invariant: `turns` are the newest `maxTurns` of the seqs in `seqs`; every other seq in `seqs`
 * at or below `foldedThrough` is folded into `digest`, in seq order.
 */
export const ConversationSchema = z.object({
  turns: z.array(ChatTurnSchema),
  summary: z.string(),
  digest: SummaryDigestSchema,
  foldedThrough: z.number().int().nonnegative(),
  seqs: SeqSetSchema,
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const EMPTY_CONVERSATION: Conversation = {
  turns: [],
  summary: '',
  digest: EMPTY_DIGEST,
  foldedThrough: 0,
  seqs: EMPTY_SEQ_SET,
};

/**
 * Takes in one turn by folding whatever it pushes out of the window. Returns null when that
 * cannot be done incrementally: a late turn older than turns already folded would be folded out
 * of seq order, so the conversation must be rebuilt from the stored turns instead.
 */
export function addTurn(conversation: Conversation, turn: ChatTurn, maxTurns: number): Conversation | null {
  if (turn.seq <= conversation.foldedThrough) return null;
  const window = [...conversation.turns.filter((t) => t.seq !== turn.seq), turn].sort((a, b) => a.seq - b.seq);
  const pushedOut = window.splice(0, Math.max(0, window.length - maxTurns));
  const digest = pushedOut.reduce(foldTurn, conversation.digest);
  return {
    turns: window,
    summary: renderSummary(digest),
    digest,
    foldedThrough: pushedOut.at(-1)?.seq ?? conversation.foldedThrough,
    seqs: addSeq(conversation.seqs, turn.seq),
  };
}

/**
 * The conversation made of exactly the stored turns whose seq is in `seqs`, folded from scratch.
 * `stored` may come in any order and hold turns outside `seqs` (written but not yet taken in).
 */
export function rebuildConversation(stored: readonly ChatTurn[], seqs: SeqSet, maxTurns: number): Conversation {
  const taken = stored
    .filter((t) => hasSeq(seqs, t.seq))
    .sort((a, b) => a.seq - b.seq);
  const cut = Math.max(0, taken.length - maxTurns);
  const folded = taken.slice(0, cut);
  const digest = folded.reduce(foldTurn, EMPTY_DIGEST);
  return {
    turns: taken.slice(cut),
    summary: renderSummary(digest),
    digest,
    foldedThrough: folded.at(-1)?.seq ?? 0,
    seqs,
  };
}
