// A long conversation through the Bedrock provider (the real SDK against a local ConverseStream
// endpoint that records what it is sent): the model sees the last 5 turns plus a summary, never all 20.
import { Redis } from 'ioredis';
import { createDynamoClient, tableDefinitions } from '@manga-assist/aws';
import { createSessionStore } from '@manga-assist/sessions';
import { EVENT_STREAM_HEADERS, converseStreamFrames, startTestServer, waitFor } from '@manga-assist/testing';
import type { TestServer } from '@manga-assist/testing';
import { ChatClient, startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';

jest.setTimeout(180_000);

const gatewayUrl = (system: TestSystem) => system.urls['chat-gateway']!;
const wsUrl = (system: TestSystem) => `${gatewayUrl(system).replace('http', 'ws')}/ws`;

interface ConverseBody {
  system: { text: string }[];
  messages: { role: string; content: { text: string }[] }[];
}

describe('conversation history sent to the model', () => {
  let bedrock: TestServer;
  let system: TestSystem;

  beforeAll(async () => {
    bedrock = await startTestServer((req, res) => {
      res.writeHead(200, EVENT_STREAM_HEADERS);
      const n = bedrock.requests.length;
      for (const frame of [
        converseStreamFrames.start(),
        converseStreamFrames.delta(`Answer ${n}: `),
        converseStreamFrames.delta('please check your order history.'),
        converseStreamFrames.blockStop(),
        converseStreamFrames.stop(),
        converseStreamFrames.metadata(100, 10),
      ])
        res.write(frame);
      res.end();
    });
    system = await startTestSystem({ apps: ['chat-gateway', 'post-processor'], env: { MODEL_PROVIDER: 'bedrock', BEDROCK_ENDPOINT: bedrock.url } });
  });
  afterAll(async () => {
    await system?.stop();
    await bedrock?.close();
  });

  it('sends only the last 5 turns plus a summary after 20 turns', async () => {
    const token = await system.token('u-history');
    const client = await ChatClient.connect(wsUrl(system), { token });
    const sessionId = client.ready.sessionId;
    // Order questions are never answered from the cache, so each one reaches the model.
    for (let i = 1; i <= 20; i++) {
      const frames = await client.ask(`where is my order number ${i}?`);
      expect(frames.at(-1)).toMatchObject({ type: "done" });
    }
    client.close();
    // The 20 questions, after the gateway's one warm-up call.
    expect(bedrock.requests).toHaveLength(21);

    // Once the post-processor has stored all 20 turns, a new connection to the session picks them up.
    // The turns are stored concurrently; wait until the session itself has taken in all 20.
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
    await waitFor(async () => (await sessions.load(sessionId)).session?.lastSeq === 20, {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: 'a session holding 20 turns',
    });
    dynamo.destroy();
    redis.disconnect();
    const again = await ChatClient.connect(`${wsUrl(system)}?sessionId=${sessionId}`, { token });
    expect((await again.ask('where is my order number 21?')).at(-1)).toMatchObject({ type: 'done' });
    again.close();

    const last = JSON.parse(bedrock.requests.at(-1)!.body) as ConverseBody;
    // 5 earlier turns (user + assistant each) and the new question.
    expect(last.messages).toHaveLength(11);
    const users = last.messages.filter((m) => m.role === 'user').map((m) => m.content[0]!.text);
    expect(users.at(-1)).toBe('where is my order number 21?');
    expect(users.slice(0, 5)).toEqual([16, 17, 18, 19, 20].map((i) => `where is my order number ${i}?`));
    expect(last.system[0]!.text).toMatch(/Earlier/);
  });
});
