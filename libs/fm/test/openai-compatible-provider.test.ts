import type { ServerResponse } from 'node:http';
import type { ModelProvider, ModelRequest } from '../src/model-provider';
import { ModelStreamError } from '../src/model-stream-error';
import { createOpenAICompatibleProvider } from '../src/openai-compatible-provider';
import { collect } from './support/collect';
import type { TestHandler, TestServer } from '@manga-assist/testing';
import { pause, startTestServer } from '@manga-assist/testing';

const MODELS = { haiku: 'llama3.2:1b', sonnet: 'qwen2.5:7b' };

const REQUEST: ModelRequest = {
  profile: 'haiku',
  system: 'You are the assistant of a Japanese manga store.',
  messages: [
    { role: 'user', text: '人気の漫画は？' },
    { role: 'assistant', text: '『葬送のフリーレン』が人気です。' },
    { role: 'user', text: '在庫はありますか？' },
  ],
};

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

function chunk(delta: { content?: string; role?: string }, finishReason: string | null = null): string {
  const body = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finishReason }] };
  return `data: ${JSON.stringify(body)}\n\n`;
}

function usageChunk(prompt: number, completion: number): string {
  const body = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } };
  return `data: ${JSON.stringify(body)}\n\n`;
}

async function writeTokens(res: ServerResponse, tokens: string[]): Promise<void> {
  res.writeHead(200, SSE_HEADERS);
  res.write(chunk({ role: 'assistant' }));
  for (const text of tokens) {
    res.write(chunk({ content: text }));
    await pause(5);
  }
}

let server: TestServer | undefined;

async function openAIAgainst(handler: TestHandler, baseURL?: string): Promise<ModelProvider> {
  server = await startTestServer(handler);
  return createOpenAICompatibleProvider({ baseURL: baseURL ?? `${server.url}/v1`, models: MODELS, maxTokens: 256 });
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('OpenAI-compatible model provider (streaming chat completions)', () => {
  it('streams content deltas as tokens and ends with the finish reason and usage', async () => {
    const provider = await openAIAgainst(async (_req, res) => {
      await writeTokens(res, ['はい、', '在庫', 'あります。']);
      res.write(chunk({}, 'stop'));
      res.write(usageChunk(30, 3));
      res.end('data: [DONE]\n\n');
    });
    const result = await collect(provider.stream(REQUEST));
    expect(result.error).toBeUndefined();
    expect(result.tokens).toEqual(['はい、', '在庫', 'あります。']);
    expect(result.end).toEqual({ type: 'end', stopReason: 'end_turn', usage: { inputTokens: 30, outputTokens: 3 } });
  });

  it('sends the profile\'s model, the system prompt first, the turns and max_tokens', async () => {
    const provider = await openAIAgainst(async (_req, res) => {
      await writeTokens(res, ['ok']);
      res.end(`${chunk({}, 'length')}data: [DONE]\n\n`);
    });
    const result = await collect(provider.stream({ ...REQUEST, profile: 'sonnet', maxTokens: 64 }));
    expect(result.end?.stopReason).toBe('max_tokens');
    const sent = server!.requests[0]!;
    expect(sent.url).toBe('/v1/chat/completions');
    expect(JSON.parse(sent.body)).toMatchObject({
      model: 'qwen2.5:7b',
      stream: true,
      max_tokens: 64,
      messages: [
        { role: 'system', content: REQUEST.system },
        { role: 'user', content: '人気の漫画は？' },
        { role: 'assistant', content: '『葬送のフリーレン』が人気です。' },
        { role: 'user', content: '在庫はありますか？' },
      ],
    });
  });

  it('throws "interrupted" when the connection drops mid-stream, after delivering the tokens before it', async () => {
    const provider = await openAIAgainst(async (_req, res, raw) => {
      await writeTokens(res, ['はい、', '在庫']);
      raw.socket.destroy();
    });
    const result = await collect(provider.stream(REQUEST));
    expect(result.tokens).toEqual(['はい、', '在庫']);
    expect(result.end).toBeUndefined();
    expect(result.error).toBeInstanceOf(ModelStreamError);
    expect(result.error).toMatchObject({ code: 'interrupted', retryable: true, tokensSent: 2, provider: 'openai', profile: 'haiku' });
  });

  it('throws "interrupted" when the server closes without a finish_reason (the client would end quietly)', async () => {
    const provider = await openAIAgainst(async (_req, res) => {
      await writeTokens(res, ['はい']);
      res.end();
    });
    const result = await collect(provider.stream(REQUEST));
    expect(result.tokens).toEqual(['はい']);
    expect(result.error).toMatchObject({ code: 'interrupted', tokensSent: 1 });
  });

  it.each([
    [429, 'throttled', true],
    [503, 'unavailable', true],
    [400, 'bad_request', false],
    [401, 'upstream', false],
  ])('maps HTTP %i to "%s"', async (status, code, retryable) => {
    const provider = await openAIAgainst((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `status ${status} from the test server`, type: 'test' } }));
    });
    const result = await collect(provider.stream(REQUEST));
    expect(result.events).toEqual([]);
    expect(result.error).toMatchObject({ code, retryable, tokensSent: 0 });
    // No hidden retries inside the client: the caller's policy decides.
    expect(server!.requests).toHaveLength(1);
  });

  it('maps an error event inside the stream to "upstream"', async () => {
    const provider = await openAIAgainst(async (_req, res) => {
      await writeTokens(res, ['はい']);
      res.end(`data: ${JSON.stringify({ error: { message: 'model crashed' } })}\n\n`);
    });
    const result = await collect(provider.stream(REQUEST));
    expect(result.error).toMatchObject({ code: 'upstream', tokensSent: 1 });
  });

  it('reports "unavailable" when nothing listens at the endpoint', async () => {
    const provider = await openAIAgainst(() => undefined, 'http://127.0.0.1:9/v1');
    const result = await collect(provider.stream(REQUEST));
    expect(result.error).toMatchObject({ code: 'unavailable', retryable: true, tokensSent: 0 });
  });

  it('stops promptly when aborted mid-stream, with the abort and not a quiet end', async () => {
    const provider = await openAIAgainst(async (_req, res) => {
      await writeTokens(res, ['はい']);
      // …and then the model goes quiet.
    });
    const controller = new AbortController();
    const seen: string[] = [];
    let abortedAt = 0;
    const reading = (async () => {
      for await (const event of provider.stream({ ...REQUEST, signal: controller.signal })) {
        seen.push(event.type === 'token' ? event.text : event.type);
        // Abort while the consumer waits for a token that will never come.
        setTimeout(() => {
          abortedAt = performance.now();
          controller.abort();
        }, 20);
      }
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - abortedAt).toBeLessThan(100);
    expect(seen).toEqual(['はい']);
  });
});
