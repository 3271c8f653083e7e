import type { ChatTurn, Intent, ModelProfile, ProductSummary } from '@manga-assist/contracts';
import { assemblePrompt } from './assemble-prompt';
import type { ModelEvent, ModelProvider } from './model-provider';

export interface ModelStreamRequest {
  profile: ModelProfile;
  userText: string;
  intent: Intent;
  history: ChatTurn[];
  summary: string;
  products: ProductSummary[];
  signal?: AbortSignal;
}

/** Prompt assembly in front of a provider: what the chat pipeline and the pre-computer call. */
export interface ModelGateway {
  /** Assembles the prompt and streams the answer; reports the prompt's size in bytes. */
  stream(request: ModelStreamRequest): { promptBytes: number; tokens: AsyncIterable<string> };
}

/** Prompt assembly plus the configured provider, as the pipeline's model port. */
export function createModelGateway(provider: ModelProvider): ModelGateway {
  return {
    stream(request) {
      const prompt = assemblePrompt({
        userText: request.userText,
        intent: request.intent,
        history: request.history,
        summary: request.summary,
        products: request.products,
      });
      const tokens = tokenTexts(() =>
        provider.stream({
          profile: request.profile,
          system: prompt.system,
          messages: prompt.messages,
          grounding: prompt.grounding,
          signal: request.signal,
        }),
      );
      return { promptBytes: prompt.bytes, tokens };
    },
  };
}

const END: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The texts of a model stream's token events, started on the first read. A plain iterator rather
 * than an async generator: one layer less of promises and results for every token streamed.
 */
function tokenTexts(start: () => AsyncIterable<ModelEvent>): AsyncIterableIterator<string> {
  let source: AsyncIterator<ModelEvent> | undefined;
  const iterator: AsyncIterableIterator<string> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      source ??= start()[Symbol.asyncIterator]();
      for (;;) {
        const step = await source.next();
        if (step.done) return END;
        if (step.value.type === 'token') return { done: false, value: step.value.text };
      }
    },
    // A reader that stops early (an error, an abort) ends the model stream too.
    async return() {
      await source?.return?.();
      return END;
    },
  };
  return iterator;
}
