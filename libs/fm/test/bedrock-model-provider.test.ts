import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createBedrockModelProvider } from '../src/bedrock-model-provider';
import type { ModelProvider, ModelRequest } from '../src/model-provider';
import { ModelStreamError } from '../src/model-stream-error';
import { collect } from './support/collect';
import { EVENT_STREAM_HEADERS, converseStreamFrames as frames, exceptionFrame } from '@manga-assist/testing';
import type { TestHandler, TestServer } from '@manga-assist/testing';
import { pause, startTestServer } from '@manga-assist/testing';

const MODEL_IDS = { haiku: 'anthropic.claude-3-haiku-20240307-v1:0', sonnet: 'anthropic.claude-3-sonnet-20240229-v1:0' };

const REQUEST: ModelRequest = {
  profile: 'haiku',
  system: 'You are the assistant of a Japanese manga store.',
  messages: [
    { role: 'user', text: 'Any seinen manga?' },
    { role: 'assistant', text: 'Try “ベルセルク”.' },
    { role: 'user', text: 'Is it in stock?' },
  ],
};

let server: TestServer | undefined;
let client: BedrockRuntimeClient | undefined;

/** The real SDK client against a local endpoint speaking ConverseStream's event stream. */
async function bedrockAgainst(handler: TestHandler, endpoint?: string): Promise<ModelProvider> {
  server = await startTestServer(handler);
  client = new BedrockRuntimeClient({
    region: 'ap-northeast-1',
    endpoint: endpoint ?? server.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    // The client's default handler is HTTP/2; a plain HTTP/1.1 server answers it with "Protocol error".
    requestHandler: new NodeHttpHandler(),
  });
  return createBedrockModelProvider({ client, modelIds: MODEL_IDS, maxTokens: 512 });
}

afterEach(async () => {
  client?.destroy();
  await server?.close();
  client = undefined;
  server = undefined;
});

describe('Bedrock model provider (ConverseStream through the SDK)', () => {
  it('streams text deltas as tokens and ends with the stop reason and usage', async () => {
    const provider = await bedrockAgainst(async (_req, res) => {
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.write(frames.start());
      for (const text of ['Yes', ', “ベルセルク”', ' is in stock.']) {
        res.write(frames.delta(text));
        await pause(5);
      }
      res.write(frames.blockStop());
      res.write(frames.stop('end_turn'));
      res.end(frames.metadata(42, 3));
    });
    const result = await collect(provider.stream(REQUEST));
    expect(result.error).toBeUndefined();
    expect(result.tokens).toEqual(['Yes', ', “ベルセルク”', ' is in stock.']);
    expect(result.end).toEqual({ type: 'end', stopReason: 'end_turn', usage: { inputTokens: 42, outputTokens: 3 } });
  });

  it('sends the model id in the path and the system prompt, turns and maxTokens in the body', async () => {
    const provider = await bedrockAgainst((_req, res) => {
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.end(Buffer.concat([frames.start(), frames.delta('ok'), frames.stop(), frames.metadata(1, 1)]));
    });
    await collect(provider.stream({ ...REQUEST, profile: 'sonnet', maxTokens: 300 }));
    const sent = server!.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe(`/model/${encodeURIComponent(MODEL_IDS.sonnet)}/converse-stream`);
    expect(JSON.parse(sent.body)).toEqual({
      system: [{ text: REQUEST.system }],
      messages: [
        { role: 'user', content: [{ text: 'Any seinen manga?' }] },
        { role: 'assistant', content: [{ text: 'Try “ベルセルク”.' }] },
        { role: 'user', content: [{ text: 'Is it in stock?' }] },
      ],
      inferenceConfig: { maxTokens: 300 },
    });

    await collect(provider.stream(REQUEST));
    expect(JSON.parse(server!.requests[1]!.body).inferenceConfig).toEqual({ maxTokens: 512 });
  });

  it('throws "throttled" when a throttlingException frame arrives mid-stream, after delivering the tokens before it', async () => {
    const provider = await bedrockAgainst((_req, res) => {
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.write(Buffer.concat([frames.start(), frames.delta('Yes'), frames.delta(', it')]));
      res.end(exceptionFrame('throttlingException', 'Too many requests, please wait before trying again.'));
    });
    const result = await collect(provider.stream({ ...REQUEST, profile: 'sonnet' }));
    expect(result.tokens).toEqual(['Yes', ', it']);
    expect(result.end).toBeUndefined();
    expect(result.error).toBeInstanceOf(ModelStreamError);
    expect(result.error).toMatchObject({ code: 'throttled', retryable: true, tokensSent: 2, profile: 'sonnet', provider: 'bedrock' });
  });

  it('throws "interrupted" when the server closes the socket mid-stream', async () => {
    const provider = await bedrockAgainst(async (_req, res, raw) => {
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.write(Buffer.concat([frames.start(), frames.delta('Yes'), frames.delta(', it')]));
      await pause(10);
      raw.socket.destroy();
    });
    const result = await collect(provider.stream(REQUEST));
    expect(result.tokens).toEqual(['Yes', ', it']);
    expect(result.error).toMatchObject({ code: 'interrupted', retryable: true, tokensSent: 2 });
  });

  it('throws "interrupted" when the response ends cleanly without messageStop (the SDK would end quietly)', async () => {
    const provider = await bedrockAgainst((_req, res) => {
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.end(Buffer.concat([frames.start(), frames.delta('Yes')]));
    });
    const result = await collect(provider.stream(REQUEST));
    expect(result.tokens).toEqual(['Yes']);
    expect(result.error).toMatchObject({ code: 'interrupted', tokensSent: 1 });
  });

  it('throws "interrupted" on a truncated frame', async () => {
    const provider = await bedrockAgainst((_req, res) => {
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.end(Buffer.concat([frames.start(), frames.delta('Yes'), frames.delta(', it is').subarray(0, 12)]));
    });
    const result = await collect(provider.stream(REQUEST));
    expect(result.error).toMatchObject({ code: 'interrupted', tokensSent: 1 });
  });

  it.each([
    [429, 'ThrottlingException', 'throttled', true],
    [408, 'ModelTimeoutException', 'timeout', true],
    [503, 'ServiceUnavailableException', 'unavailable', true],
    [400, 'ValidationException', 'bad_request', false],
    [500, 'InternalServerException', 'upstream', true],
  ])('maps HTTP %i %s before the stream to "%s"', async (status, errorType, code, retryable) => {
    const provider = await bedrockAgainst((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': errorType });
      res.end(JSON.stringify({ message: `${errorType} from the test server` }));
    });
    const result = await collect(provider.stream(REQUEST));
    expect(result.events).toEqual([]);
    expect(result.error).toMatchObject({ code, retryable, tokensSent: 0 });
  });

  it('maps a modelStreamErrorException frame to "interrupted"', async () => {
    const provider = await bedrockAgainst((_req, res) => {
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.write(Buffer.concat([frames.start(), frames.delta('Yes')]));
      res.end(exceptionFrame('modelStreamErrorException', 'the model stream failed'));
    });
    const result = await collect(provider.stream(REQUEST));
    expect(result.error).toMatchObject({ code: 'interrupted', tokensSent: 1 });
  });

  it('reports "unavailable" when nothing listens at the endpoint', async () => {
    const provider = await bedrockAgainst(() => undefined, 'http://127.0.0.1:9');
    const result = await collect(provider.stream(REQUEST));
    expect(result.error).toMatchObject({ code: 'unavailable', retryable: true, tokensSent: 0 });
  });

  it('stops promptly when aborted mid-stream, with the abort and not a model error', async () => {
    const provider = await bedrockAgainst((_req, res) => {
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.write(Buffer.concat([frames.start(), frames.delta('Yes')]));
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
    expect(seen).toEqual(['Yes']);
  });

  it('closes the connection when the consumer stops reading early', async () => {
    let closed = false;
    const provider = await bedrockAgainst((_req, res, raw) => {
      raw.socket.on('close', () => (closed = true));
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.write(Buffer.concat([frames.start(), frames.delta('Yes'), frames.delta(' and more')]));
    });
    for await (const event of provider.stream(REQUEST)) {
      if (event.type === 'token') break;
    }
    await pause(50);
    expect(closed).toBe(true);
  });
});
