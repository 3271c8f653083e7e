import { startTestServer } from '@manga-assist/testing';
import type { TestServer } from '@manga-assist/testing';
import { createBedrockGuardrail } from './bedrock-guardrail';

const ANSWER = 'おすすめは『ワンピース』です。お問い合わせは 090-1234-5678 まで。';
const MASKED = 'おすすめは『ワンピース』です。お問い合わせは {PHONE} まで。';

/** A Bedrock runtime stand-in answering ApplyGuardrail as the service does. */
function applyGuardrailAnswer(intervened: boolean) {
  return {
    usage: { topicPolicyUnits: 0, contentPolicyUnits: 1, wordPolicyUnits: 0, sensitiveInformationPolicyUnits: 1, sensitiveInformationPolicyFreeUnits: 0, contextualGroundingPolicyUnits: 0 },
    action: intervened ? 'GUARDRAIL_INTERVENED' : 'NONE',
    outputs: intervened ? [{ text: MASKED }] : [],
    assessments: [
      {
        contentPolicy: { filters: [{ type: 'INSULTS', confidence: 'NONE', action: 'NONE' }] },
        sensitiveInformationPolicy: {
          piiEntities: intervened ? [{ match: '090-1234-5678', type: 'PHONE', action: 'ANONYMIZED' }] : [],
          regexes: [],
        },
      },
    ],
  };
}

describe('Bedrock guardrail (ApplyGuardrail through the real SDK)', () => {
  let server: TestServer;
  let intervene = true;
  beforeAll(async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(applyGuardrailAnswer(intervene)));
    });
  });
  afterAll(() => server.close());

  const guardrail = () =>
    createBedrockGuardrail({ region: 'ap-northeast-1', guardrailId: 'gr-manga 1', guardrailVersion: '3', endpoint: server.url, localCredentials: true, timeoutMs: 2000 });

  it("sends the answer as model output to the configured guardrail and returns its masked text", async () => {
    intervene = true;
    const g = guardrail();
    try {
      expect(await g.assess(ANSWER)).toEqual({ intervened: true, output: MASKED, policies: ['sensitiveInformationPolicy'] });
    } finally {
      g.close();
    }
    const request = server.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/guardrail/gr-manga%201/version/3/apply');
    expect(JSON.parse(request.body)).toEqual({ source: 'OUTPUT', content: [{ text: { text: ANSWER } }] });
    // Signed for the bedrock service, as the real endpoint requires.
    expect(String(request.headers['authorization'])).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/ap-northeast-1\/bedrock\/aws4_request/);
  });

  it('lets an answer the guardrail passes stand', async () => {
    intervene = false;
    const g = guardrail();
    try {
      expect(await g.assess('『ワンピース』は在庫ありです。')).toEqual({ intervened: false, output: null, policies: [] });
    } finally {
      g.close();
    }
  });

  it('rejects, instead of waiting, when the guardrail does not answer within its timeout', async () => {
    // The stand-in never answers; without the timeout this test would hang until Jest gives up.
    const silent = await startTestServer(() => undefined);
    const g = createBedrockGuardrail({ region: 'ap-northeast-1', guardrailId: 'gr', guardrailVersion: 'DRAFT', endpoint: silent.url, localCredentials: true, timeoutMs: 200 });
    try {
      await expect(g.assess(ANSWER)).rejects.toThrow();
    } finally {
      g.close();
      await silent.close();
    }
  });
});
