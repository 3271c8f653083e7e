import type { DoneFrame } from '@manga-assist/contracts';
import { answering, applyFrame, ask, createTranscriptStore, failUnfinished } from './conversation';
import type { AssistantMessage, Message } from './conversation';

const done: DoneFrame = { type: 'done', requestId: 'r1', cached: false, model: 'haiku', intent: 'trending', timings: { intent: 0.1 } };
const answerOf = (messages: Message[], requestId = 'r1') => messages.find((m): m is AssistantMessage => m.role === 'assistant' && m.requestId === requestId)!;

describe('the conversation on the chat page', () => {
  it('builds an answer from its tokens, then completes it with done', () => {
    let messages = ask([], 'r1', '今週の人気マンガは？');
    expect(answerOf(messages).state).toBe('waiting');
    messages = applyFrame(messages, { type: 'token', requestId: 'r1', text: '当店で' });
    messages = applyFrame(messages, { type: 'token', requestId: 'r1', text: 'いま人気' });
    expect(answerOf(messages)).toMatchObject({ text: '当店でいま人気', state: 'streaming' });
    expect(answering(messages)).toBe(true);
    messages = applyFrame(messages, done);
    expect(answerOf(messages)).toMatchObject({ state: 'done', done });
    expect(answering(messages)).toBe(false);
  });

  it('keeps answers to different questions apart', () => {
    let messages = ask(ask([], 'r1', 'a'), 'r2', 'b');
    messages = applyFrame(messages, { type: 'token', requestId: 'r2', text: 'two' });
    messages = applyFrame(messages, { type: 'token', requestId: 'r1', text: 'one' });
    expect(answerOf(messages, 'r1').text).toBe('one');
    expect(answerOf(messages, 'r2').text).toBe('two');
    expect(applyFrame(messages, { type: 'token', requestId: 'r9', text: 'stray' })).toEqual(messages);
  });

  it('replaces the text on a revision and says so', () => {
    let messages = applyFrame(applyFrame(ask([], 'r1', 'q'), { type: 'token', requestId: 'r1', text: 'first text' }), done);
    messages = applyFrame(messages, { type: 'revision', requestId: 'r1', text: 'revised text' });
    expect(answerOf(messages)).toMatchObject({ text: 'revised text', revised: true, state: 'done' });
  });

  it('shows a typed error politely', () => {
    const messages = applyFrame(ask([], 'r1', 'q'), { type: 'error', requestId: 'r1', code: 'model_throttled', message: 'ThrottlingException: rate exceeded' });
    expect(answerOf(messages)).toMatchObject({ state: 'failed', error: { code: 'model_throttled', text: 'The assistant is very busy right now. Please try again in a few seconds.' } });
  });

  it('marks answers cut off by a dropped connection', () => {
    const messages = failUnfinished(applyFrame(ask([], 'r1', 'q'), { type: 'token', requestId: 'r1', text: 'half' }));
    expect(answerOf(messages)).toMatchObject({ state: 'failed', text: 'half', error: { code: 'connection_lost' } });
  });
});

describe('createTranscriptStore', () => {
  const memory = () => {
    const items = new Map<string, string>();
    return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k) };
  };

  it('keeps the session id and its transcript, unfinished answers marked as such', () => {
    const storage = memory();
    const store = createTranscriptStore(storage);
    store.setSessionId('s-1');
    store.save('s-1', applyFrame(ask([], 'r1', 'q'), { type: 'token', requestId: 'r1', text: 'partial' }));
    const again = createTranscriptStore(storage);
    expect(again.sessionId()).toBe('s-1');
    expect(answerOf(again.load('s-1'))).toMatchObject({ text: 'partial', state: 'failed' });
    again.forget('s-1');
    expect(again.sessionId()).toBeNull();
    expect(again.load('s-1')).toEqual([]);
  });

  it('starts empty when the stored transcript is unreadable', () => {
    const storage = memory();
    storage.setItem('manga-assist.transcript.s-1', '{not json');
    expect(createTranscriptStore(storage).load('s-1')).toEqual([]);
  });
});
