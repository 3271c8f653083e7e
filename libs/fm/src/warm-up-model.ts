import type { ModelProvider } from './model-provider';

/**
 * The smallest model call: one token from the fast profile, so the model's connection (TLS, the
 * pool's first socket, the SDK's credentials) is open before the first user's question.
 */
export async function warmUpModel(model: ModelProvider): Promise<void> {
  const events = model.stream({ profile: 'haiku', system: 'Reply with one word.', messages: [{ role: 'user', text: 'hi' }], maxTokens: 1 });
  for await (const event of events) void event;
}
