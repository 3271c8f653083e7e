import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

import { createTitanEmbedder } from '../src';

interface Invocation {
  url: string;
  headers: IncomingHttpHeaders;
  body: { inputText: string; dimensions: number; normalize: boolean };
}

describe('createTitanEmbedder through the Bedrock Runtime SDK', () => {
  let server: Server;
  let client: BedrockRuntimeClient;
  const invocations: Invocation[] = [];
  let reply: (invocation: Invocation) => { status: number; headers?: Record<string, string>; body: unknown };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        const invocation = { url: req.url ?? '', headers: req.headers, body: JSON.parse(raw) };
        invocations.push(invocation);
        const { status, headers, body } = reply(invocation);
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' },
      // The SDK speaks HTTP/2 by default; the local endpoint is HTTP/1.1.
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    invocations.length = 0;
    // An unnormalized vector that encodes which text it answers, so order can be checked.
    reply = ({ body }) => ({
      status: 200,
      body: {
        embedding: Array.from({ length: body.dimensions }, (_, i) => (i === 0 ? body.inputText.length : 1)),
        inputTextTokenCount: body.inputText.length,
      },
    });
  });

  it('invokes the model once per text with inputText, dimensions and normalize, in order', async () => {
    const embedder = createTitanEmbedder({ client, dimensions: 256 });
    expect(embedder.id).toBe('amazon.titan-embed-text-v2-0-256');
    expect(embedder.dimensions).toBe(256);

    const texts = ['進撃の巨人', 'one piece', 'ab', '   '];
    const vectors = await embedder.embed(texts);

    expect(invocations).toHaveLength(3); // the blank text is not sent: Titan rejects empty input
    for (const invocation of invocations) {
      expect(invocation.url).toBe('/model/amazon.titan-embed-text-v2%3A0/invoke');
      expect(invocation.headers['content-type']).toBe('application/json');
      expect(invocation.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
    }
    expect(invocations.map((i) => i.body).sort((a, b) => a.inputText.localeCompare(b.inputText))).toEqual([
      { inputText: 'ab', dimensions: 256, normalize: true },
      { inputText: 'one piece', dimensions: 256, normalize: true },
      { inputText: '進撃の巨人', dimensions: 256, normalize: true },
    ]);

    expect(vectors).toHaveLength(4);
    texts.slice(0, 3).forEach((text, i) => {
      const v = vectors[i];
      expect(v).toHaveLength(256);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
      expect(v[0] / v[1]).toBeCloseTo(text.length, 4); // the answer for this text, in this slot
    });
    expect(vectors[3].every((x) => x === 0)).toBe(true);
  });

  it('surfaces a model error as the SDK raises it', async () => {
    reply = () => ({
      status: 400,
      headers: { 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/' },
      body: { message: 'Malformed input request' },
    });
    await expect(createTitanEmbedder({ client }).embed(['x'])).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('rejects an answer of the wrong size', async () => {
    reply = () => ({ status: 200, body: { embedding: [1, 2, 3], inputTextTokenCount: 1 } });
    await expect(createTitanEmbedder({ client }).embed(['x'])).rejects.toThrow('returned 3 dimensions, expected 512');
  });

  it('refuses dimensions Titan V2 does not offer', () => {
    expect(() => createTitanEmbedder({ client, dimensions: 384 as 256 })).toThrow('dimensions must be one of 256, 512, 1024, got 384');
  });
});
