// GUARDRAIL_PROVIDER=bedrock: the built post-processor runs Bedrock's ApplyGuardrail (the real SDK,
// against a stand-in that answers as the service does) on every answer after its in-process tiers.
// What the guardrail blocks reaches the client as a revision; an outage of it leaves the
// in-process revision to go out alone, and the job still completes.
import { randomBytes } from 'node:crypto';
import type { GuardrailCheckJob } from '@manga-assist/contracts';
import { subscribeRevisions } from '@manga-assist/revisions';
import type { RevisionFrame, RevisionSubscription } from '@manga-assist/revisions';
import { startTestServer, waitFor } from '@manga-assist/testing';
import type { TestServer } from '@manga-assist/testing';
import { startPostProcessorSystem } from './post-processor-system';
import type { PostProcessorSystem } from './post-processor-system';

jest.setTimeout(60_000);

const BLOCKED = '申し訳ありませんが、この回答はお見せできません。';

const check = (answer: string): GuardrailCheckJob => ({
  traceId: randomBytes(16).toString('hex'),
  connectionId: 'conn-1',
  requestId: `req-${randomBytes(3).toString('hex')}`,
  sessionId: 'session-1',
  intent: 'recommendation',
  question: 'おすすめは？',
  answer,
});

/** Bedrock runtime stand-in: blocks answers about 暴力, fails on 障害, passes the rest. */
function standIn(): Promise<TestServer> {
  return startTestServer((req, res) => {
    const { content } = JSON.parse(req.body) as { content: { text: { text: string } }[] };
    const text = content.map((c) => c.text.text).join('');
    if (text.includes('障害')) {
      res.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailableException' });
      res.end(JSON.stringify({ message: 'Service unavailable' }));
      return;
    }
    const blocked = text.includes('暴力');
    const filter = { type: 'VIOLENCE', confidence: blocked ? 'HIGH' : 'NONE', action: blocked ? 'BLOCKED' : 'NONE' };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        usage: { topicPolicyUnits: 0, contentPolicyUnits: 1, wordPolicyUnits: 0, sensitiveInformationPolicyUnits: 0, sensitiveInformationPolicyFreeUnits: 0, contextualGroundingPolicyUnits: 0 },
        action: blocked ? 'GUARDRAIL_INTERVENED' : 'NONE',
        outputs: blocked ? [{ text: BLOCKED }] : [],
        assessments: [{ contentPolicy: { filters: [filter] } }],
      }),
    );
  });
}

describe('Bedrock guardrail after the in-process tiers', () => {
  let system: PostProcessorSystem;
  let bedrock: TestServer;
  let subscription: RevisionSubscription;
  const delivered: RevisionFrame[] = [];

  beforeAll(async () => {
    bedrock = await standIn();
    system = await startPostProcessorSystem({
      GUARDRAIL_PROVIDER: 'bedrock',
      BEDROCK_GUARDRAIL_ID: 'gr-manga',
      BEDROCK_GUARDRAIL_VERSION: '2',
      BEDROCK_ENDPOINT: bedrock.url,
    });
    system.start();
    await system.ready();
    subscription = subscribeRevisions({
      redisUrl: system.env.REDIS_URL!,
      keyPrefix: system.keyPrefix,
      onRevision: (connectionId, frame) => {
        if (connectionId === 'conn-1') delivered.push(frame);
      },
    });
    await subscription.ready;
  });
  afterAll(async () => {
    await subscription?.close();
    await system?.stop();
    await bedrock?.close();
  });

  const metric = async (line: RegExp) => {
    const text = await (await fetch(`${system.url}/metrics`)).text();
    return Number(text.split('\n').find((l) => line.test(l))?.split(' ').pop() ?? 0);
  };

  async function revisionOf(job: GuardrailCheckJob): Promise<RevisionFrame | undefined> {
    system.producer.enqueue('guardrail-check', job);
    const queue = system.queues.get('guardrail-check');
    await waitFor(async () => (await queue.getJobState(`guardrail-check.${job.traceId}`)) === 'completed', {
      timeoutMs: 10_000,
      description: `guardrail check of ${job.requestId} completed`,
    });
    // A revision is published before the job completes.
    return delivered.find((f) => f.requestId === job.requestId);
  }

  it("revises an answer the in-process tiers pass but the managed guardrail blocks, with the guardrail's text", async () => {
    const job = check('『ワンピース』の戦闘は暴力的な描写が多めです。');
    expect(await revisionOf(job)).toEqual({ type: 'revision', requestId: job.requestId, text: BLOCKED });
    const sent = bedrock.requests.find((r) => r.body.includes('暴力的'))!;
    expect(sent.url).toBe('/guardrail/gr-manga/version/2/apply');
    expect(JSON.parse(sent.body)).toMatchObject({ source: 'OUTPUT', content: [{ text: { text: job.answer } }] });
    expect(await metric(/^manga_assist_guardrail_violations_total\{rule="contentPolicy",tier="bedrock"/)).toBe(1);
    expect(await metric(/^manga_assist_guardrail_evaluation_seconds_count\{.*tiers="bedrock"/)).toBeGreaterThanOrEqual(1);

    // The same job again (a redelivery): answered from its marker, without another guardrail call.
    const calls = bedrock.requests.length;
    await system.queues.get('guardrail-check').remove(`guardrail-check.${job.traceId}`);
    delivered.length = 0;
    expect(await revisionOf(job)).toBeUndefined();
    expect(bedrock.requests.length).toBe(calls);
  });

  it('leaves a clean answer alone, and still revises what the in-process tiers catch', async () => {
    const clean = check('『ワンピース』は在庫ありです。');
    expect(await revisionOf(clean)).toBeUndefined();
    const phone = check('ご注文は 090-1234-5678 までお電話ください。');
    expect(await revisionOf(phone)).toEqual({ type: 'revision', requestId: phone.requestId, text: 'ご注文は [redacted phone] までお電話ください。' });
  });

  it('sends the in-process revision alone while the managed guardrail is down, and the job completes', async () => {
    const before = await metric(/^manga_assist_guardrail_remote_failures_total/);
    const job = check('障害中ですが、ご注文は 090-1111-2222 までお電話ください。');
    expect(await revisionOf(job)).toEqual({ type: 'revision', requestId: job.requestId, text: '障害中ですが、ご注文は [redacted phone] までお電話ください。' });
    expect(await metric(/^manga_assist_guardrail_remote_failures_total/)).toBe(before + 1);
  });
});
