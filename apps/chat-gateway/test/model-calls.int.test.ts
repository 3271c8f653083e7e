// No model call twice for the same question: identical questions asked at the same moment share one
// model call, and a repeat asked moments after the answer is a cache hit before the post-processor
// (not started here) could have stored it. The gateway (MODEL_PROVIDER=openai) runs against the
// stand-in model server, which counts the calls it is sent.
import { STAND_IN_THROTTLE_MARKER, standInAnswer, startModelStandIn } from '@manga-assist/testing';
import type { ModelStandIn } from '@manga-assist/testing';
import { startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';

jest.setTimeout(180_000);

const TOKENS = 12;

interface JsonAnswer {
  text?: string;
  done?: { type: string; cached: boolean };
  type?: string;
  code?: string;
}

describe('no model call twice for the same question', () => {
  let model: ModelStandIn;
  let system: TestSystem;
  let gatewayUrl: string;
  let token: string;

  beforeAll(async () => {
    // A first token after 1.5 s: every one of the questions below arrives while the first is still streaming.
    model = await startModelStandIn({ firstTokenMs: 1500, perTokenMs: 5, tokens: TOKENS });
    system = await startTestSystem({ apps: ['chat-gateway'], env: { MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${model.url}/v1` } });
    gatewayUrl = system.urls['chat-gateway']!;
    token = await system.token('u-model-calls');
  });
  afterAll(async () => {
    await system?.stop();
    await model?.close();
  });
  beforeEach(() => model.reset());

  /** The same new question 100 times at once over HTTP, each as its own new session. */
  const askAtOnce = (text: string) =>
    Promise.all(
      Array.from({ length: 100 }, async () => {
        const response = await fetch(`${gatewayUrl}/v1/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ text }),
        });
        return { status: response.status, body: (await response.json()) as JsonAnswer };
      }),
    );

  it('answers 100 simultaneous identical new questions with one model call and 100 complete, identical answers', async () => {
    const question = 'recommend a seinen manga about cooking';
    const answers = await askAtOnce(question);

    expect(model.stats().openai).toBe(1);
    const expected = standInAnswer(question, TOKENS).join('');
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    expect(answers.map((a) => a.body.text)).toEqual(Array(100).fill(expected));
    expect(answers.every((a) => a.body.done?.type === 'done' && a.body.done.cached === false)).toBe(true);

    const metrics = await (await fetch(`${gatewayUrl}/metrics`)).text();
    expect(metrics).toMatch(/^manga_assist_model_calls_avoided_total\{[^}]*model="haiku"[^}]*\} 99$/m);
  });

  it('fails every follower with the error the one model call failed with', async () => {
    const answers = await askAtOnce(`recommend a shonen manga ${STAND_IN_THROTTLE_MARKER}`);

    expect(model.stats().openai).toBe(1);
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(503));
    expect(answers.map((a) => [a.body.type, a.body.code])).toEqual(Array(100).fill(['error', 'model_throttled']));
  });

  const askOnce = async (url: string, text: string) => {
    const response = await fetch(`${url}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ text }),
    });
    return (await response.json()) as JsonAnswer;
  };

  it('answers a repeat asked 100 ms after done from the cache, with no second model call', async () => {
    const question = 'recommend a manga about mountain climbing';
    const first = await askOnce(gatewayUrl, question);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const repeat = await askOnce(gatewayUrl, question);

    expect(first.done?.cached).toBe(false);
    expect(repeat.done).toMatchObject({ cached: true, model: 'cache' });
    expect(repeat.text).toBe(first.text);
    expect(model.stats().openai).toBe(1);
  });

  it('leaves the early cache entry to the post-processor when the Bedrock guardrail must pass first', async () => {
    const strict = await system.spawn('chat-gateway', { GUARDRAIL_PROVIDER: 'bedrock' });
    model.reset();
    const question = 'recommend a manga about the sea';
    await askOnce(strict.url, question);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const repeat = await askOnce(strict.url, question);

    expect(repeat.done?.cached).toBe(false);
    expect(model.stats().openai).toBe(2);
  });

  it('still calls the model once per different question', async () => {
    const questions = ['recommend a horror manga', 'recommend a sports manga', 'recommend a romance manga'];
    const answers = await Promise.all(
      questions.map(async (text) => {
        const response = await fetch(`${gatewayUrl}/v1/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ text }),
        });
        return ((await response.json()) as JsonAnswer).text;
      }),
    );
    expect(model.stats().openai).toBe(3);
    expect(answers).toEqual(questions.map((q) => standInAnswer(q, TOKENS).join('')));
  });
});
