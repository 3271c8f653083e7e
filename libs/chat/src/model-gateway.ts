import { assemblePrompt } from '@manga-assist/fm';
import type { ModelEvent, ModelProvider, ModelUsage } from '@manga-assist/fm';
import type { ModelGateway } from './ports';

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
