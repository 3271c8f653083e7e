// The OpenAI-compatible door as an OpenAI SDK user sees it: the official `openai` client against the
// real gateway, whose model is Bedrock (the real SDK) answering from a local ConverseStream stand-in
// that records what the model was sent and whether its stream was cut off.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { Redis } from 'ioredis';
import { createDynamoClient, tableDefinitions } from '@manga-assist/aws';
import { ChatCompletionChunkSchema, ChatCompletionSchema, OpenAiErrorBodySchema } from '@manga-assist/contracts';
import type { ChatCompletionChunk } from '@manga-assist/contracts';
import { startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import { createSessionStore } from '@manga-assist/sessions';
import { EVENT_STREAM_HEADERS, converseStreamFrames, exceptionFrame, pause, startTestServer, waitFor } from '@manga-assist/testing';
import type { TestServer } from '@manga-assist/testing';

jest.setTimeout(180_000);

interface ConverseBody {
  system: { text: string }[];
  messages: { role: string; content: { text: string }[] }[];
}

const HAIKU_ID = 'test-haiku';
const SONNET_ID = 'test-sonnet';
// What the stand-in model answers and the token counts it reports for it.
const ANSWER = ['この', '質問', 'には', '在庫の', 'ある', '作品で', 'お答えします。'];
const USAGE = { inputTokens: 321, outputTokens: 17 };
const SLOW_TOKENS = 200;
// Routed to Sonnet by the classifier: a complex recommendation.
const COMPLEX = 'why is ONE PIECE so popular? and what should I read next?';

const calls: { modelId: string; body: ConverseBody; cutOff: boolean }[] = [];
const questionOf = (body: ConverseBody) => body.messages.at(-1)!.content[0]!.text;
const callFor = (question: string) => calls.find((c) => questionOf(c.body) === question);

describe('OpenAI-compatible API', () => {
  let bedrock: TestServer;
  let system: TestSystem;
  let client: OpenAI;
  let base: string;
  let token: string;

  beforeAll(async () => {
    bedrock = await startTestServer(async (req, res) => {
      const body = JSON.parse(req.body) as ConverseBody;
      const call = { modelId: decodeURIComponent(req.url.split('/')[2]!), body, cutOff: false };
      calls.push(call);
      const question = questionOf(body);
      res.writeHead(200, EVENT_STREAM_HEADERS);
      res.on('close', () => void (call.cutOff = !res.writableFinished));
      res.write(converseStreamFrames.start());
      if (question.includes('throttle me')) return void res.end(exceptionFrame('throttlingException', 'slow down'));
      if (question.includes('be unavailable')) return void res.end(exceptionFrame('serviceUnavailableException', 'down'));
      if (question.includes('slowly')) {
        for (let i = 0; i < SLOW_TOKENS && !res.destroyed; i++) {
          res.write(converseStreamFrames.delta(`${i} `));
          await pause(20);
        }
      } else {
        for (const text of ANSWER) res.write(converseStreamFrames.delta(text));
        // A stream that breaks after its first tokens.
        if (question.includes('break off')) return void res.end(exceptionFrame('modelStreamErrorException', 'stream broke'));
      }
      if (res.destroyed) return;
      res.write(converseStreamFrames.blockStop());
      res.write(converseStreamFrames.stop());
      res.end(converseStreamFrames.metadata(USAGE.inputTokens, USAGE.outputTokens));
    });
    system = await startTestSystem({
      apps: ['chat-gateway', 'post-processor'],
      env: {
        MODEL_PROVIDER: 'bedrock',
        BEDROCK_ENDPOINT: bedrock.url,
        BEDROCK_HAIKU_MODEL_ID: HAIKU_ID,
        BEDROCK_SONNET_MODEL_ID: SONNET_ID,
        // The failures these tests cause on purpose must not open Haiku's breaker for the tests after them.
        HAIKU_BREAKER_FAILURES: '100',
      },
    });
    base = system.urls['chat-gateway']!;
    // The API key is the bearer token, as for any OpenAI-compatible server.
    token = await system.token('u-openai');
    client = new OpenAI({ baseURL: `${base}/v1`, apiKey: token, maxRetries: 0 });
  });
  afterAll(async () => {
    await system?.stop();
    await bedrock?.close();
  });

  it('lists its three models', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((m) => m.id)).toEqual(['manga-assist', 'manga-assist-haiku', 'manga-assist-sonnet']);
    expect(models.every((m) => m.object === 'model' && m.owned_by === 'manga-assist')).toBe(true);
    expect((await client.models.retrieve('manga-assist-sonnet')).id).toBe('manga-assist-sonnet');
    await expect(client.models.retrieve('gpt-4o')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('answers with one chat.completion document, the model’s own token counts and the gateway’s facts', async () => {
    const question = 'where is my order 1001?';
    const { data, response } = await client.chat.completions
      .create({ model: 'manga-assist', messages: [{ role: 'user', content: question }] })
      .withResponse();
    const completion = ChatCompletionSchema.parse(data);
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'manga-assist',
      choices: [{ index: 0, message: { role: 'assistant', content: ANSWER.join('') }, finish_reason: 'stop' }],
      usage: { prompt_tokens: USAGE.inputTokens, completion_tokens: USAGE.outputTokens, total_tokens: USAGE.inputTokens + USAGE.outputTokens },
      manga_assist: { cached: false, model: 'haiku', intent: 'order_status', degraded: [] },
    });
    expect(completion.manga_assist.timings).toHaveProperty('fm-total');
    expect(response.headers.get('x-session-id')).toBe(completion.manga_assist.session_id);
    expect(callFor(question)?.modelId).toBe(HAIKU_ID);
  });

  it('streams chat.completion.chunk events: the role, the tokens, the finish with its facts, then usage', async () => {
    const question = 'where is my order 1002?';
    const stream = await client.chat.completions.create({
      model: 'manga-assist',
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(ChatCompletionChunkSchema.parse(chunk));
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    const contents = chunks.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? ''));
    // The tokens as the model sent them, one chunk each.
    expect(contents.filter((c) => c !== '')).toEqual(ANSWER);
    const finish = chunks.at(-2)!;
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(finish.manga_assist).toMatchObject({ cached: false, model: 'haiku', intent: 'order_status' });
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: USAGE.inputTokens, completion_tokens: USAGE.outputTokens, total_tokens: USAGE.inputTokens + USAGE.outputTokens });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('streams to the README’s curl command (no content-type) and ends with [DONE]', async () => {
    const { stdout } = await promisify(execFile)('curl', [
      '-sN',
      `${base}/v1/chat/completions`,
      '-H',
      `Authorization: Bearer ${token}`,
      '-d',
      '{"model":"manga-assist","stream":true,"messages":[{"role":"user","content":"新刊"}]}',
    ]);
    const events = stdout.split('\n\n').filter((e) => e !== '');
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => ChatCompletionChunkSchema.parse(JSON.parse(e.replace(/^data: /, ''))));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(ANSWER.join(''));
    expect(chunks.at(-1)?.manga_assist?.intent).toBe('new_releases');
  });

  it('answers a repeated question from the response cache, saying so and counting no model tokens', async () => {
    const question = '今週の人気マンガは？';
    const ask = () => client.chat.completions.create({ model: 'manga-assist', messages: [{ role: 'user', content: question }] });
    const first = ChatCompletionSchema.parse(await ask());
    expect(first.manga_assist.cached).toBe(false);
    const again = await waitFor(
      async () => {
        const answer = ChatCompletionSchema.parse(await ask());
        return answer.manga_assist.cached ? answer : null;
      },
      { timeoutMs: 15_000, intervalMs: 200, description: 'a cached answer' },
    );
    expect(again.choices[0]!.message.content).toBe(first.choices[0]!.message.content);
    expect(again.manga_assist.model).toBe('cache');
    expect(again.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('sends the earlier messages to the model as history when no session is given', async () => {
    const question = 'where is my order 1003?';
    await client.chat.completions.create({
      model: 'manga-assist',
      messages: [
        { role: 'system', content: 'You are a pirate.' },
        { role: 'user', content: 'hello there' },
        { role: 'assistant', content: 'こんにちは！' },
        { role: 'user', content: [{ type: 'text', text: 'I ordered ' }, { type: 'text', text: 'two books' }] },
        { role: 'assistant', content: 'Noted.' },
        { role: 'user', content: question },
      ],
    });
    const sent = callFor(question)!.body;
    expect(sent.messages.map((m) => [m.role, m.content[0]!.text])).toEqual([
      ['user', 'hello there'],
      ['assistant', 'こんにちは！'],
      ['user', 'I ordered two books'],
      ['assistant', 'Noted.'],
      ['user', question],
    ]);
    // The gateway's own instructions, not the client's.
    expect(sent.system[0]!.text).not.toContain('pirate');
  });

  it('continues a stored session named by X-Session-Id, from its own history', async () => {
    const first = 'where is my order 2001?';
    const { data, response } = await client.chat.completions.create({ model: 'manga-assist', messages: [{ role: 'user', content: first }] }).withResponse();
    const sessionId = response.headers.get('x-session-id')!;
    expect(ChatCompletionSchema.parse(data).manga_assist.session_id).toBe(sessionId);

    // Once the post-processor has stored the turn, a request naming the session gets it as history.
    const dynamo = createDynamoClient({ region: 'ap-northeast-1', endpoint: system.dynamoEndpoint });
    const redis = new Redis(system.env['REDIS_URL']!);
    const tables = tableDefinitions(system.tablePrefix);
    const sessions = createSessionStore({
      dynamo,
      redis,
      tables: { sessions: tables.sessions.TableName, turns: tables.turns.TableName },
      keyPrefix: system.keyPrefix,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    try {
      await waitFor(async () => (await sessions.load(sessionId)).session?.lastSeq === 1, { timeoutMs: 15_000, intervalMs: 100, description: 'the stored turn' });
    } finally {
      dynamo.destroy();
      redis.disconnect();
    }

    const second = 'where is my order 2002?';
    const { data: next, response: nextResponse } = await client.chat.completions
      .create(
        {
          model: 'manga-assist',
          // With a session, the stored turns are the history: what the client resends is not used.
          messages: [
            { role: 'user', content: 'resent question' },
            { role: 'assistant', content: 'resent answer' },
            { role: 'user', content: second },
          ],
        },
        { headers: { 'X-Session-Id': sessionId } },
      )
      .withResponse();
    expect(nextResponse.headers.get('x-session-id')).toBe(sessionId);
    expect(ChatCompletionSchema.parse(next).manga_assist.session_id).toBe(sessionId);
    expect(callFor(second)!.body.messages.map((m) => m.content[0]!.text)).toEqual([first, ANSWER.join(''), second]);
  });

  it('lets the model id force Haiku or Sonnet, and leaves the choice to the router for manga-assist', async () => {
    const ask = async (model: string, content: string) =>
      ChatCompletionSchema.parse(await client.chat.completions.create({ model, messages: [{ role: 'user', content }] }));
    expect((await ask('manga-assist', COMPLEX)).manga_assist.model).toBe('sonnet');
    expect(callFor(COMPLEX)?.modelId).toBe(SONNET_ID);
    const forcedHaiku = `${COMPLEX} (order 3001)`;
    expect((await ask('manga-assist-haiku', forcedHaiku)).manga_assist.model).toBe('haiku');
    expect(callFor(forcedHaiku)?.modelId).toBe(HAIKU_ID);
    const forcedSonnet = 'where is my order 3002?';
    const sonnet = await ask('manga-assist-sonnet', forcedSonnet);
    expect(sonnet).toMatchObject({ model: 'manga-assist-sonnet', manga_assist: { model: 'sonnet' } });
    expect(callFor(forcedSonnet)?.modelId).toBe(SONNET_ID);
  });

  it('stops the model when the client aborts a stream, and keeps serving', async () => {
    const question = 'where is my order 4001? answer slowly';
    const stream = await client.chat.completions.create({ model: 'manga-assist', messages: [{ role: 'user', content: question }], stream: true });
    let contentChunks = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) contentChunks++;
      if (contentChunks === 3) stream.controller.abort();
    }
    expect(contentChunks).toBe(3);
    // The gateway closed its stream from the model long before the model had sent everything.
    await waitFor(() => callFor(question)?.cutOff === true, { timeoutMs: 5000, description: 'the model stream cut off' });

    const after = ChatCompletionSchema.parse(await client.chat.completions.create({ model: 'manga-assist', messages: [{ role: 'user', content: 'where is my order 4002?' }] }));
    expect(after.choices[0]!.message.content).toBe(ANSWER.join(''));
  });

  it('ends a stream that breaks mid-way with an error event, never [DONE]', async () => {
    const body = JSON.stringify({ model: 'manga-assist', stream: true, messages: [{ role: 'user', content: 'where is my order 5001? break off' }] });
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    expect(res.status).toBe(200);
    const events = (await res.text()).split('\n\n').filter((e) => e !== '');
    expect(events).not.toContain('data: [DONE]');
    const last = events.at(-1)!;
    expect(last).toMatch(/^event: error\ndata: /);
    expect(OpenAiErrorBodySchema.parse(JSON.parse(last.replace(/^event: error\ndata: /, '')))).toMatchObject({
      error: { type: 'server_error', code: 'stream_interrupted' },
    });
    expect(events.length).toBeGreaterThan(2);

    // The SDK raises it as an APIError after the tokens that did arrive.
    const stream = await client.chat.completions.create({ model: 'manga-assist', messages: [{ role: 'user', content: 'where is my order 5002? break off' }], stream: true });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toMatchObject({ code: 'stream_interrupted', type: 'server_error' });
    expect(text).toBe(ANSWER.join(''));
  });

  it('answers a throttled or unavailable model with 429 or 503 and Retry-After, streaming or not', async () => {
    const throttled = client.chat.completions.create({ model: 'manga-assist', messages: [{ role: 'user', content: 'where is my order 6001? throttle me' }] });
    await expect(throttled).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(throttled).rejects.toMatchObject({ status: 429, type: 'rate_limit_error', code: 'model_throttled' });
    const unavailable = client.chat.completions.create({ model: 'manga-assist', stream: true, messages: [{ role: 'user', content: 'where is my order 6002? be unavailable' }] });
    await expect(unavailable).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(unavailable).rejects.toMatchObject({ status: 503, type: 'server_error', code: 'unavailable' });
    const raw = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ model: 'manga-assist', messages: [{ role: 'user', content: 'where is my order 6003? throttle me' }] }),
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
  });

  describe('bad input', () => {
    const create = (body: Record<string, unknown>, headers?: Record<string, string>) =>
      client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, headers ? { headers } : undefined);
    const user = (content: unknown) => [{ role: 'user', content }];

    it.each([
      ['missing messages', { model: 'manga-assist' }, 'missing_required_parameter', 'messages'],
      ['no messages', { model: 'manga-assist', messages: [] }, 'invalid_value', 'messages'],
      ['missing model', { messages: user('hi') }, 'missing_required_parameter', 'model'],
      ['empty content', { model: 'manga-assist', messages: user('') }, 'empty_content', 'messages[0].content'],
      ['blank content', { model: 'manga-assist', messages: user('   ') }, 'empty_content', 'messages[0].content'],
      ['a question over 4 KB', { model: 'manga-assist', messages: user('漫'.repeat(2000)) }, 'string_above_max_length', 'messages[0].content'],
      ['no user message', { model: 'manga-assist', messages: [{ role: 'system', content: 'be brief' }] }, 'missing_user_message', 'messages'],
      ['an unknown role', { model: 'manga-assist', messages: [{ role: 'wizard', content: 'hi' }] }, 'invalid_value', 'messages[0].role'],
      ['an image', { model: 'manga-assist', messages: user([{ type: 'image_url', image_url: { url: 'http://x/y.png' } }]) }, 'invalid_value', 'messages[0].content'],
      ['stream not a boolean', { model: 'manga-assist', messages: user('hi'), stream: 'yes' }, 'invalid_type', 'stream'],
      ['n above 1', { model: 'manga-assist', messages: user('hi'), n: 2 }, 'invalid_value', 'n'],
    ])('%s: 400 invalid_request_error naming the field', async (_name, body, code, param) => {
      const request = create(body);
      await expect(request).rejects.toBeInstanceOf(OpenAI.BadRequestError);
      await expect(request).rejects.toMatchObject({ status: 400, type: 'invalid_request_error', code, param });
    });

    it('an over-long X-Session-Id: 400', async () => {
      await expect(create({ model: 'manga-assist', messages: user('hi') }, { 'X-Session-Id': 's'.repeat(200) })).rejects.toMatchObject({
        status: 400,
        code: 'invalid_value',
        param: 'X-Session-Id',
      });
    });

    it('an unknown model: 404 model_not_found', async () => {
      const request = create({ model: 'gpt-4o', messages: user('hi') });
      await expect(request).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      await expect(request).rejects.toMatchObject({ status: 404, type: 'invalid_request_error', code: 'model_not_found', param: 'model' });
    });

    it('a body over 32 KB: 413 request_too_large', async () => {
      const long = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: 'x'.repeat(1000) }));
      await expect(create({ model: 'manga-assist', messages: [...long, ...user('hi')] })).rejects.toMatchObject({
        status: 413,
        type: 'invalid_request_error',
        code: 'request_too_large',
      });
    });

    it('invalid JSON, and no body at all: 400 in the OpenAI error shape', async () => {
      for (const [body, code] of [['{"model":', 'invalid_json'], [undefined, 'missing_required_parameter']] as const) {
        const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
        expect(res.status).toBe(400);
        expect(OpenAiErrorBodySchema.parse(await res.json())).toMatchObject({ error: { type: 'invalid_request_error', code } });
      }
    });

    it('keeps serving after every bad request', async () => {
      const answer = ChatCompletionSchema.parse(await create({ model: 'manga-assist-haiku', messages: user('where is my order 7001?') }));
      expect(answer.choices[0]!.message.content).toBe(ANSWER.join(''));
    });
  });
});
