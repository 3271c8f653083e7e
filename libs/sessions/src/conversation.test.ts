import { japaneseConversation } from '../test/japanese-conversation';
import { EMPTY_CONVERSATION, addTurn, rebuildConversation } from './conversation';
import type { Conversation } from './conversation';

describe('conversation', () => {
  const turns = japaneseConversation(9);

  it('keeps the newest turns and folds the rest; a rebuild from the rows gives the same result', () => {
    let conversation: Conversation = EMPTY_CONVERSATION;
    for (const turn of turns) conversation = addTurn(conversation, turn, 5)!;
    expect(conversation.turns.map((t) => t.seq)).toEqual([5, 6, 7, 8, 9]);
    expect(conversation.foldedThrough).toBe(4);
    expect(rebuildConversation([...turns].reverse(), conversation.seqs, 5)).toEqual(conversation);
  });

  it('asks for a rebuild when a late turn lands below turns already folded', () => {
    let conversation: Conversation = EMPTY_CONVERSATION;
    for (const turn of turns.filter((t) => t.seq !== 2)) conversation = addTurn(conversation, turn, 5)!;
    expect(conversation.foldedThrough).toBe(4);
    expect(addTurn(conversation, turns[1]!, 5)).toBeNull();
  });

  it('folds a late turn incrementally when nothing newer was folded yet', () => {
    let conversation: Conversation = EMPTY_CONVERSATION;
    for (const turn of [turns[0]!, turns[2]!, turns[3]!]) conversation = addTurn(conversation, turn, 2)!;
    // Window [3, 4], folded [1]; turn 2 is newer than anything folded.
    const late = addTurn(conversation, turns[1]!, 2)!;
    let inOrder: Conversation = EMPTY_CONVERSATION;
    for (const turn of turns.slice(0, 4)) inOrder = addTurn(inOrder, turn, 2)!;
    expect(late).toEqual(inOrder);
  });
});
