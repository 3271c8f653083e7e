import type { Classification, ChatTurn, Intent, ModelProfile, ProductFilters, ProductSummary } from '@manga-assist/contracts';

// What the chat pipeline needs from the rest of the system, as narrow interfaces: the gateway's
// main.ts plugs in the real retrieval, session, model, cache and queue libs.

export interface ProductSource {
  search(query: string, filters: ProductFilters, k: number): Promise<ProductSummary[]>;
  byIds(ids: readonly string[]): ProductSummary[];
  /** Ranked lists the store knows without a search (trending, new releases, by demographic). */
  list(kind: 'trending' | 'new_releases' | 'genre', filters: ProductFilters, k: number): Promise<ProductSummary[]>;
}

export interface SessionView {
  sessionId: string;
  lastSeq: number;
  turns: ChatTurn[];
  summary: string;
}

export interface SessionSource {
  load(sessionId: string): Promise<SessionView | null>;
}

export interface ModelStreamRequest {
  profile: ModelProfile;
  userText: string;
  intent: Intent;
  history: ChatTurn[];
  summary: string;
  products: ProductSummary[];
  signal?: AbortSignal;
}

export interface ModelGateway {
  /**
   * Assembles the prompt and streams the answer; reports the prompt's size in bytes and, once the
   * tokens are read to the end, the token counts the model reported (undefined if it reported none).
   */
  stream(request: ModelStreamRequest): {
    promptBytes: number;
    tokens: AsyncIterable<string>;
    usage(): { inputTokens: number; outputTokens: number } | undefined;
  };
}

export interface ClassifierPort {
  classify(text: string): Classification;
}
