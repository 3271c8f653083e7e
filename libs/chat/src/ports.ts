import type { ChatTurn, Classification } from '@manga-assist/contracts';

// What the chat pipeline needs from the rest of the system, as narrow interfaces: the gateway's
// app.ts plugs in the real retrieval, session, model, cache and queue libs.

export type { ModelGateway, ModelStreamRequest } from '@manga-assist/fm';
export type { ProductSource } from '@manga-assist/retrieval';

export interface SessionView {
  sessionId: string;
  lastSeq: number;
  turns: ChatTurn[];
  summary: string;
}

export interface SessionSource {
  load(sessionId: string): Promise<SessionView | null>;
}

export interface ClassifierPort {
  classify(text: string): Classification;
}
