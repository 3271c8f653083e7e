import type { Intent, ModelProfile, ProductSummary } from '@manga-assist/contracts';

export type ModelProviderName = 'local' | 'bedrock' | 'openai';

export interface ModelMessage {
  role: 'user' | 'assistant';
  text: string;
}

/** What a prompt was assembled from, kept structured so the local provider can answer from it. */
export interface ModelGrounding {
  userText: string;
  intent: Intent;
  products: ProductSummary[];
  summary?: string;
  /** How many earlier turns the prompt carries. */
  historyTurns: number;
}

export interface ModelRequest {
  profile: ModelProfile;
  system: string;
  messages: ModelMessage[];
  maxTokens?: number;
  /** Aborting rejects the stream promptly with the signal's reason; no `end` event follows. */
  signal?: AbortSignal;
  /** Structured grounding the prompt was assembled from; the local provider answers from it, remote providers ignore it. */
  grounding?: ModelGrounding;
  /** `analysis`: a long analysis run as a job (the local provider paces it over its `analysisMs`). */
  purpose?: 'chat' | 'analysis';
}

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
}

export type ModelEvent =
  | { type: 'token'; text: string }
  | { type: 'end'; stopReason: string; usage?: ModelUsage };

/**
 * A streaming foundation model. A stream is complete only when it yields `end`; one that breaks
 * part-way throws a ModelStreamError instead, so a truncated answer is never mistaken for a whole one.
 */
export interface ModelProvider {
  readonly name: ModelProviderName;
  stream(req: ModelRequest): AsyncIterable<ModelEvent>;
}

export type ModelProfiles<T> = Record<ModelProfile, T>;
