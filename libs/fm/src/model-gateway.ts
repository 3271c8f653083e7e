import type { ChatTurn, Intent, ModelProfile, ProductSummary } from '@manga-assist/contracts';
import { assemblePrompt } from './assemble-prompt';
import type { ModelEvent, ModelProvider, ModelUsage } from './model-provider';

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
  /**
   * Assembles the prompt and streams the answer; reports the prompt's size in bytes and, once the
   * tokens are read to the end, the token counts the model reported (undefined if it reported none).
   */
  stream(request: ModelStreamRequest): { promptBytes: number; tokens: AsyncIterable<string>; usage(): ModelUsage | undefined };
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
      let usage: ModelUsage | undefined;
      const tokens = tokenTexts(
        () =>
          provider.stream({
            profile: request.profile,
            system: prompt.system,
            messages: prompt.messages,
            grounding: prompt.grounding,
            signal: request.signal,
          }),
        (end) => void (usage = end.usage),
      );
      return { promptBytes: prompt.bytes, tokens, usage: () => usage };
    },
  };
}

const END: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The texts of a model stream's token events, started on the first read. A plain iterator rather
 * than an async generator: one layer less of promises and results for every token streamed.
 */
function tokenTexts(
  start: () => AsyncIterable<ModelEvent>,
  onEnd: (end: Extract<ModelEvent, { type: 'end' }>) => void,
): AsyncIterableIterator<string> {
  let source: AsyncIterator<ModelEvent> | undefined;
  const iterator: AsyncIterableIterator<string> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      source ??= start()[Symbol.asyncIterator]();
      for (;;) {
        const step = await source.next();
        if (step.done) return END;
        if (step.value.type === 'token') return { done: false, value: step.value.text };
        onEnd(step.value);
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
