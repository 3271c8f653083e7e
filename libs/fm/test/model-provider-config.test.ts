import { createModelProviderFromConfig } from '../src/model-provider-config';
import { collect } from './support/collect';
import { EVENT_STREAM_HEADERS, converseStreamFrames as frames } from '@manga-assist/testing';
import type { TestServer } from '@manga-assist/testing';
import { startTestServer } from '@manga-assist/testing';
import { PRODUCTS } from './support/products';
import { createConnectionPool } from '@manga-assist/pools';

const IDS = { haiku: 'anthropic.claude-3-haiku-20240307-v1:0', sonnet: 'anthropic.claude-3-sonnet-20240229-v1:0' };
const REQUEST = { profile: 'haiku' as const, system: 'sys', messages: [{ role: 'user' as const, text: 'hi' }] };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('createModelProviderFromConfig', () => {
  it('builds the local provider with its timing profiles', async () => {
    const provider = createModelProviderFromConfig({
      provider: 'local',
      profiles: { haiku: { firstTokenMs: 0, perTokenMs: 0 } },
    });
    expect(provider.name).toBe('local');
    const result = await collect(
      provider.stream({ ...REQUEST, grounding: { userText: 'trending?', intent: 'trending', products: PRODUCTS, historyTurns: 0 } }),
    );
    expect(result.text).toContain('“ONE PIECE”');
    provider.close();
  });

  it('builds a Bedrock client that speaks HTTP/1.1 to a local endpoint', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.end(Buffer.concat([frames.start(), frames.delta('hello'), frames.stop(), frames.metadata(3, 1)]));
    });
    const provider = createModelProviderFromConfig({
      provider: 'bedrock',
      region: 'ap-northeast-1',
      endpoint: server.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      modelIds: IDS,
      maxTokens: 128,
    });
    expect(provider.name).toBe('bedrock');
    const result = await collect(provider.stream(REQUEST));
    expect(result.error).toBeUndefined();
    expect(result.tokens).toEqual(['hello']);
    expect(JSON.parse(server.requests[0]!.body).inferenceConfig).toEqual({ maxTokens: 128 });
    provider.close();
  });

  it('builds a Bedrock client on a shared connection pool, which close() leaves open', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.end(Buffer.concat([frames.start(), frames.delta('pooled'), frames.stop(), frames.metadata(3, 1)]));
    });
    const pool = createConnectionPool({ name: 'model' });
    try {
      const config = {
        provider: 'bedrock' as const,
        region: 'ap-northeast-1',
        endpoint: server.url,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        modelIds: IDS,
        maxTokens: 128,
      };
      const provider = createModelProviderFromConfig(config, { pool });
      expect((await collect(provider.stream(REQUEST))).tokens).toEqual(['pooled']);
      expect((await collect(provider.stream(REQUEST))).tokens).toEqual(['pooled']);
      provider.close();
      // Both answers came over one kept-alive socket of the pool, still open after close().
      expect(pool.stats()).toMatchObject({ active: 0, idle: 1 });
      expect(() => createModelProviderFromConfig({ ...config, maxSockets: 4 }, { pool })).toThrow(
        'maxSockets and connectionTimeoutMs come from the pool "model"; leave them out when passing a pool',
      );
    } finally {
      pool.destroy();
    }
  });

  it('builds the OpenAI-compatible provider', () => {
    const provider = createModelProviderFromConfig({
      provider: 'openai',
      baseURL: 'http://127.0.0.1:11434/v1',
      models: { haiku: 'llama3.2:1b', sonnet: 'llama3.1:8b' },
    });
    expect(provider.name).toBe('openai');
    provider.close();
  });
});
