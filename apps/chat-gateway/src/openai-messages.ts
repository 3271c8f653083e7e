import type { ChatTurn, OpenAiMessage } from '@manga-assist/contracts';
import { SendMessageFrameSchema } from '@manga-assist/contracts';
import { invalidRequest } from './openai-errors';

export interface Conversation {
  /** The last user message: what the pipeline answers. */
  question: string;
  /** The user/assistant exchanges before it, oldest first, as session turns. */
  history: ChatTurn[];
}

const textOf = (content: OpenAiMessage['content']): string =>
  content == null ? '' : typeof content === 'string' ? content : content.map((part) => part.text).join('');

/**
 * Splits an OpenAI message list into the question and the turns before it. System, developer and
 * tool messages are left out: the gateway has its own instructions and no tools. Consecutive
 * messages of one role are joined, so each turn is one question and its answer.
 */
export function readConversation(messages: OpenAiMessage[], at: string): Conversation {
  const last = messages.findLastIndex((m) => m.role === 'user');
  if (last < 0) throw invalidRequest('missing_user_message', 'messages: there is no user message to answer', 'messages');
  const param = `messages[${last}].content`;
  const question = textOf(messages[last]!.content);
  const checked = SendMessageFrameSchema.shape.text.safeParse(question);
  if (!checked.success) {
    const message = checked.error.issues[0]!.message;
    const code = message.startsWith('text exceeds') ? 'string_above_max_length' : 'empty_content';
    throw invalidRequest(code, `${param}: ${message.replace(/^text/, 'the question')}`, param);
  }

  const history: ChatTurn[] = [];
  let user = '';
  let assistant = '';
  const close = () => {
    if (user === '' && assistant === '') return;
    // The prompt does not use a past turn's intent: these turns are not classified.
    history.push({ seq: history.length + 1, requestId: `history-${history.length + 1}`, user, assistant, intent: 'chit_chat', at });
    user = '';
    assistant = '';
  };
  for (const message of messages.slice(0, last)) {
    if (message.role === 'user') {
      if (assistant !== '') close();
      user = user === '' ? textOf(message.content) : `${user}\n${textOf(message.content)}`;
    } else if (message.role === 'assistant') {
      const text = textOf(message.content);
      if (text !== '') assistant = assistant === '' ? text : `${assistant}\n${text}`;
    }
  }
  close();
  return { question, history };
}
