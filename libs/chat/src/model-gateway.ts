import { assemblePrompt } from '@manga-assist/fm';
import type { ModelProvider } from '@manga-assist/fm';
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
      async function* tokens() {
        const events = provider.stream({
          profile: request.profile,
          system: prompt.system,
          messages: prompt.messages,
          grounding: prompt.grounding,
          signal: request.signal,
        });
        for await (const event of events) if (event.type === 'token') yield event.text;
      }
      return { promptBytes: prompt.bytes, tokens: tokens() };
    },
  };
}
