import type { OpenAiMessage } from '@manga-assist/contracts';
import { OpenAiError } from './openai-errors';
import { readConversation } from './openai-messages';

const AT = '2026-12-05T00:00:00.000Z';
const pairs = (messages: OpenAiMessage[]) => readConversation(messages, AT).history.map((t) => [t.user, t.assistant]);

describe('readConversation', () => {
  it('takes the last user message as the question and the exchanges before it as turns', () => {
    const conversation = readConversation(
      [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: '新刊は？' },
        { role: 'assistant', content: '今月の新刊です。' },
        { role: 'user', content: 'おすすめは？' },
      ],
      AT,
    );
    expect(conversation.question).toBe('おすすめは？');
    expect(conversation.history).toEqual([{ seq: 1, requestId: 'history-1', user: '新刊は？', assistant: '今月の新刊です。', intent: 'chit_chat', at: AT }]);
  });

  it('joins text parts, and consecutive messages of one role, into one turn side', () => {
    expect(
      pairs([
        { role: 'user', content: [{ type: 'text', text: 'two ' }, { type: 'text', text: 'parts' }] },
        { role: 'user', content: 'and more' },
        { role: 'assistant', content: 'first' },
        { role: 'assistant', content: 'second' },
        { role: 'user', content: 'question' },
      ]),
    ).toEqual([['two parts\nand more', 'first\nsecond']]);
  });

  it('leaves out system, developer and tool messages and empty tool-call answers', () => {
    expect(
      pairs([
        { role: 'developer', content: 'rules' },
        { role: 'user', content: 'a' },
        { role: 'assistant', content: null },
        { role: 'tool', content: 'tool output' },
        { role: 'assistant', content: 'b' },
        { role: 'user', content: 'question' },
      ]),
    ).toEqual([['a', 'b']]);
  });

  it('keeps an unanswered question or an opening greeting as a turn with one side empty', () => {
    expect(
      pairs([
        { role: 'assistant', content: 'いらっしゃいませ' },
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'user', content: 'unanswered' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'question' },
      ]),
    ).toEqual([
      ['', 'いらっしゃいませ'],
      ['a', 'b'],
      ['unanswered', ''],
    ]);
  });

  it('ignores what follows the last user message', () => {
    const conversation = readConversation(
      [
        { role: 'user', content: 'question' },
        { role: 'assistant', content: 'prefilled' },
      ],
      AT,
    );
    expect(conversation).toEqual({ question: 'question', history: [] });
  });

  it.each([
    ['no user message', [{ role: 'system', content: 'hi' }], 'missing_user_message', 'messages'],
    ['an empty question', [{ role: 'user', content: '' }], 'empty_content', 'messages[0].content'],
    ['a blank question', [{ role: 'assistant', content: 'hi' }, { role: 'user', content: ' \n ' }], 'empty_content', 'messages[1].content'],
    ['a question over 4 KB', [{ role: 'user', content: 'あ'.repeat(1366) }], 'string_above_max_length', 'messages[0].content'],
  ] as [string, OpenAiMessage[], string, string][])('refuses %s with a typed 400', (_name, messages, code, param) => {
    const thrown = (() => {
      try {
        readConversation(messages, AT);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(OpenAiError);
    expect(thrown).toMatchObject({ status: 400, type: 'invalid_request_error', code, param });
  });
});
