import type { ModelEvent, ModelProvider } from './model-provider';
import { createModelGateway } from './model-gateway';

function scriptedProvider(events: ModelEvent[], failAfter?: number) {
  const seen = { started: 0, finished: 0 };
  const provider: ModelProvider = {
    name: 'local',
    async *stream() {
      seen.started += 1;
      try {
        for (let i = 0; i < events.length; i++) {
          if (i === failAfter) throw new Error('stream broke');
          yield events[i]!;
        }
      } finally {
        seen.finished += 1;
      }
    },
  };
  return { provider, seen };
}

const request = { profile: 'haiku' as const, userText: 'hi', intent: 'chit_chat' as const, history: [], summary: '', products: [] };
const events: ModelEvent[] = [
  { type: 'token', text: 'Hello' },
  { type: 'token', text: ', ' },
  { type: 'token', text: 'reader' },
  { type: 'end', stopReason: 'end_turn' },
];

describe('model gateway', () => {
  it('streams the token texts in order, starting the model only when read', async () => {
    const { provider, seen } = scriptedProvider(events);
    const { tokens, promptBytes } = createModelGateway(provider).stream(request);
    expect(promptBytes).toBeGreaterThan(0);
    expect(seen.started).toBe(0);
    const texts: string[] = [];
    for await (const text of tokens) texts.push(text);
    expect(texts).toEqual(['Hello', ', ', 'reader']);
    expect(seen.finished).toBe(1);
  });

  it('ends the model stream when the reader stops early', async () => {
    const { provider, seen } = scriptedProvider(events);
    const { tokens } = createModelGateway(provider).stream(request);
    for await (const text of tokens) if (text === 'Hello') break;
    expect(seen).toEqual({ started: 1, finished: 1 });
  });

  it('passes a broken stream on as an error after the tokens sent', async () => {
    const { provider } = scriptedProvider(events, 2);
    const { tokens } = createModelGateway(provider).stream(request);
    const texts: string[] = [];
    await expect(
      (async () => {
        for await (const text of tokens) texts.push(text);
      })(),
    ).rejects.toThrow('stream broke');
    expect(texts).toEqual(['Hello', ', ']);
  });

  it("reports the token counts of the model's end event once the stream is read", async () => {
    const counted: ModelEvent[] = [...events.slice(0, 3), { type: 'end', stopReason: 'end_turn', usage: { inputTokens: 120, outputTokens: 3 } }];
    const { tokens, usage } = createModelGateway(scriptedProvider(counted).provider).stream(request);
    expect(usage()).toBeUndefined();
    for await (const text of tokens) void text;
    expect(usage()).toEqual({ inputTokens: 120, outputTokens: 3 });
  });

  it('reports no token counts when the model sends none', async () => {
    const { tokens, usage } = createModelGateway(scriptedProvider(events).provider).stream(request);
    for await (const text of tokens) void text;
    expect(usage()).toBeUndefined();
  });
});
