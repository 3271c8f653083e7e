// The stand-in model server through the real clients: the openai SDK and the Bedrock runtime SDK.
import { createHash } from 'node:crypto';
import { BedrockRuntimeClient, ConverseStreamCommand, ThrottlingException } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import OpenAI, { RateLimitError } from 'openai';
import { STAND_IN_THROTTLE_MARKER, standInAnswer, startModelStandIn } from '../src';
import type { ModelStandIn } from '../src';

const TOKENS = 8;
/** The answer's first token names the question by the first 8 hex digits of its SHA-1. */
const tag = (question: string) => `Answer ${createHash('sha1').update(question).digest('hex').slice(0, 8)}:`;
let standIn: ModelStandIn;
let openai: OpenAI;
let bedrock: BedrockRuntimeClient;

beforeAll(async () => {
  standIn = await startModelStandIn({ firstTokenMs: 30, perTokenMs: 5, tokens: TOKENS });
  openai = new OpenAI({ baseURL: `${standIn.url}/v1`, apiKey: 'local', maxRetries: 0 });
  bedrock = new BedrockRuntimeClient({
    region: 'ap-northeast-1',
    endpoint: standIn.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
});
afterAll(async () => {
  bedrock?.destroy();
  await standIn?.close();
});
beforeEach(() => standIn.reset());

async function openaiTokens(question: string): Promise<string[]> {
  const stream = await openai.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: question }] });
  const tokens: string[] = [];
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta?.content;
    if (text) tokens.push(text);
  }
  return tokens;
}

async function bedrockTokens(question: string): Promise<{ tokens: string[]; stopReason?: string }> {
  const output = await bedrock.send(new ConverseStreamCommand({ modelId: 'haiku', messages: [{ role: 'user', content: [{ text: question }] }] }));
  const tokens: string[] = [];
  let stopReason: string | undefined;
  for await (const event of output.stream!) {
    if (event.contentBlockDelta?.delta?.text) tokens.push(event.contentBlockDelta.delta.text);
    if (event.messageStop) stopReason = event.messageStop.stopReason;
  }
  return { tokens, stopReason };
}

describe('stand-in model server', () => {
  it('streams the answer to the last user message as OpenAI chat completion chunks', async () => {
    expect(await openaiTokens('おすすめの漫画は？')).toEqual([tag('おすすめの漫画は？'), ' w1', ' w2', ' w3', ' w4', ' w5', ' w6', ' w7']);
    expect(standIn.stats()).toMatchObject({ openai: 1, bedrock: 0 });
  });

  it('streams the same answer as Bedrock ConverseStream events, ending with messageStop', async () => {
    const { tokens, stopReason } = await bedrockTokens('おすすめの漫画は？');
    expect(tokens.join('')).toBe(`${tag('おすすめの漫画は？')} w1 w2 w3 w4 w5 w6 w7`);
    expect(stopReason).toBe('end_turn');
    expect(standIn.stats()).toMatchObject({ openai: 0, bedrock: 1 });
  });

  it('answers different questions differently, and says so through standInAnswer', async () => {
    expect((await openaiTokens('a')).join('')).toBe(standInAnswer('a', TOKENS).join(''));
    expect(standInAnswer('a', TOKENS)).not.toEqual(standInAnswer('b', TOKENS));
  });

  it('never sends a token before it is due: the last one no earlier than first + (n − 1) × per-token', async () => {
    const started = performance.now();
    await openaiTokens('timing');
    expect(performance.now() - started).toBeGreaterThanOrEqual(30 + (TOKENS - 1) * 5 - 1);
  });

  it('refuses a question with the throttle marker as each API does', async () => {
    await expect(openaiTokens(`q ${STAND_IN_THROTTLE_MARKER}`)).rejects.toBeInstanceOf(RateLimitError);
    await expect(bedrockTokens(`q ${STAND_IN_THROTTLE_MARKER}`)).rejects.toBeInstanceOf(ThrottlingException);
    expect(standIn.stats()).toMatchObject({ openai: 1, bedrock: 1 });
  });

  it('counts streams open at once', async () => {
    await Promise.all(Array.from({ length: 5 }, (_, i) => openaiTokens(`q${i}`)));
    expect(standIn.stats()).toMatchObject({ openai: 5, inFlight: 0, maxInFlight: 5 });
  });
});
