import type { DoneFrame, ErrorCode, ServerFrame } from '@manga-assist/contracts';
import { describeError } from './format';

export interface UserMessage {
  role: 'user';
  requestId: string;
  text: string;
}

export interface AssistantMessage {
  role: 'assistant';
  requestId: string;
  text: string;
  state: 'waiting' | 'streaming' | 'done' | 'failed';
  done?: DoneFrame;
  /** A polite sentence when the answer failed. */
  error?: { code: ErrorCode | 'connection_lost'; text: string };
  /** The guardrail check replaced the text after it was shown. */
  revised?: boolean;
}

export type Message = UserMessage | AssistantMessage;

/** A question asked: the user's message and an empty answer waiting for its first token. */
export function ask(messages: Message[], requestId: string, text: string): Message[] {
  return [...messages, { role: 'user', requestId, text }, { role: 'assistant', requestId, text: '', state: 'waiting' }];
}

const update = (messages: Message[], requestId: string, change: (m: AssistantMessage) => AssistantMessage): Message[] =>
  messages.map((m) => (m.role === 'assistant' && m.requestId === requestId ? change(m) : m));

/** What a server frame does to the conversation; frames for unknown requests change nothing. */
export function applyFrame(messages: Message[], frame: ServerFrame): Message[] {
  switch (frame.type) {
    case 'token':
      return update(messages, frame.requestId, (m) => ({ ...m, text: m.text + frame.text, state: 'streaming' }));
    case 'done':
      return update(messages, frame.requestId, (m) => ({ ...m, state: 'done', done: frame }));
    case 'error':
      if (!frame.requestId) return messages;
      return update(messages, frame.requestId, (m) => ({ ...m, state: 'failed', error: { code: frame.code, text: describeError(frame.code) } }));
    case 'revision':
      return update(messages, frame.requestId, (m) => ({ ...m, text: frame.text, revised: true }));
    default:
      return messages;
  }
}

/** Answers still arriving when the connection dropped: they will not be finished. */
export function failUnfinished(messages: Message[]): Message[] {
  return messages.map((m) =>
    m.role === 'assistant' && (m.state === 'waiting' || m.state === 'streaming')
      ? { ...m, state: 'failed', error: { code: 'connection_lost', text: 'The connection dropped before this answer finished. Please ask again.' } }
      : m,
  );
}

/** True while some answer is still arriving. */
export const answering = (messages: Message[]) => messages.some((m) => m.role === 'assistant' && (m.state === 'waiting' || m.state === 'streaming'));

const SESSION_KEY = 'manga-assist.sessionId';
const transcriptKey = (sessionId: string) => `manga-assist.transcript.${sessionId}`;
/** The page keeps the last this many messages; the server keeps the session itself. */
const KEPT_MESSAGES = 60;

/** The session and its transcript in the browser's storage, so a reload continues both. */
export function createTranscriptStore(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>) {
  return {
    sessionId: () => storage.getItem(SESSION_KEY),
    setSessionId: (id: string) => storage.setItem(SESSION_KEY, id),
    load(sessionId: string): Message[] {
      try {
        const parsed: unknown = JSON.parse(storage.getItem(transcriptKey(sessionId)) ?? '[]');
        return Array.isArray(parsed) ? failUnfinished(parsed as Message[]) : [];
      } catch {
        return [];
      }
    },
    save(sessionId: string, messages: Message[]) {
      try {
        storage.setItem(transcriptKey(sessionId), JSON.stringify(messages.slice(-KEPT_MESSAGES)));
      } catch {
        // Storage full or refused (private mode): the conversation still works, only not across reloads.
      }
    },
    forget(sessionId: string) {
      storage.removeItem(transcriptKey(sessionId));
      storage.removeItem(SESSION_KEY);
    },
  };
}
