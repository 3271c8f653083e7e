// The IAM policies in ops/aws/iam against the AWS calls the apps really make. The gateway,
// post-processor (Bedrock guardrail and CloudWatch audit on) and scheduler run as built, each
// with its own recording proxies in front of dynalite and kinesalite, its own recording Bedrock
// endpoint, and a CloudWatch Logs stand-in for the audit; a chat (a new session, then the same
// session again) and its post-processing go through. Every call each app made must be allowed by
// its policy, and every action a policy grants must have been used, so the policies stay
// least-privilege as the code changes.
import { ChatClient, startTestSystem } from '@manga-assist/local-stack';
import type { TestSystem } from '@manga-assist/local-stack';
import { EVENT_STREAM_HEADERS, converseStreamFrames, startCloudWatchLogsStandIn, startRecordingProxy, startTestServer, waitFor } from '@manga-assist/testing';
import type { CloudWatchLogsStandIn, RecordingProxy, TestServer } from '@manga-assist/testing';
import { allows, bedrockCalls, jsonProtocolCalls, readPolicy } from './iam-policy';
import type { AwsCall, CallContext } from './iam-policy';

jest.setTimeout(240_000);

const POLICY_APPS = ['chat-gateway', 'post-processor', 'prefetch-scheduler'] as const;
type PolicyApp = (typeof POLICY_APPS)[number];

/**
 * Statements for paths this chat does not take: OpenSearch (found by name with OPENSEARCH_COLLECTION)
 * and Titan are switched on by configuration (apps/chat-gateway/test/opensearch.int.test.ts and
 * collection-discovery.int.test.ts run them against stand-ins), a
 * turn arriving below the session's window is rebuilt from a Query of its rows (libs/sessions tests),
 * and catalog exports go to S3 only when asked for (apps/chat-gateway/test/catalog.int.test.ts runs
 * them against s3rver). Long analyses (`/v1/analyze`, the operations table and Sonnet in the
 * post-processor) are not part of a chat (apps/post-processor/test/analyze-*.int.test.ts run them on dynalite).
 */
const NOT_EXERCISED_HERE: Record<PolicyApp, string[]> = {
  'chat-gateway': ['FindSearchCollection', 'ProductSearchOnOpenSearch', 'QuestionEmbeddingsWithTitan', 'CatalogExports', 'Analyses'],
  'post-processor': ['RebuildAfterLateTurn', 'Analyses', 'AnalysisModel'],
  'prefetch-scheduler': ['FindSearchCollection', 'ProductSearchOnOpenSearch', 'QuestionEmbeddingsWithTitan'],
};

const GUARDRAIL_USAGE = {
  topicPolicyUnits: 0,
  contentPolicyUnits: 1,
  wordPolicyUnits: 0,
  sensitiveInformationPolicyUnits: 0,
  sensitiveInformationPolicyFreeUnits: 0,
  contextualGroundingPolicyUnits: 0,
};

interface Recorders {
  dynamodb: RecordingProxy;
  kinesis: RecordingProxy;
  bedrock: TestServer;
}

describe('IAM policies (ops/aws/iam)', () => {
  let system: TestSystem;
  const recorders = {} as Record<PolicyApp, Recorders>;
  let context: CallContext;
  let logs: CloudWatchLogsStandIn;

  beforeAll(async () => {
    system = await startTestSystem({ apps: [], env: { MODEL_PROVIDER: 'bedrock', TOP_TITLES_COUNT: '2' } });
    context = { region: system.env['AWS_REGION']!, account: '123456789012', prefix: { actual: system.tablePrefix, policy: 'manga-assist-' } };
    for (const app of POLICY_APPS) {
      recorders[app] = {
        dynamodb: await startRecordingProxy(system.dynamoEndpoint),
        kinesis: await startRecordingProxy(system.kinesisEndpoint),
        bedrock: await startTestServer((req, res) => {
          if (req.url.startsWith('/guardrail/')) {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ action: 'NONE', outputs: [], assessments: [], usage: GUARDRAIL_USAGE }));
            return;
          }
          res.writeHead(200, EVENT_STREAM_HEADERS);
          res.write(converseStreamFrames.start());
          res.write(converseStreamFrames.delta('『ワンピース』がおすすめです。'));
          for (const frame of [converseStreamFrames.blockStop(), converseStreamFrames.stop(), converseStreamFrames.metadata(80, 12)]) res.write(frame);
          res.end();
        }),
      };
    }
    const endpoints = (app: PolicyApp) => ({
      DYNAMODB_ENDPOINT: recorders[app].dynamodb.url,
      KINESIS_ENDPOINT: recorders[app].kinesis.url,
      BEDROCK_ENDPOINT: recorders[app].bedrock.url,
    });
    logs = await startCloudWatchLogsStandIn([`${system.tablePrefix}audit`]);
    const postProcessor = await system.spawn('post-processor', {
      ...endpoints('post-processor'),
      GUARDRAIL_PROVIDER: 'bedrock',
      BEDROCK_GUARDRAIL_ID: 'manga-assist-answers',
      AUDIT_SINK: 'cloudwatch',
      LOGS_ENDPOINT: logs.url,
    });
    const gateway = await system.spawn('chat-gateway', { ...endpoints('chat-gateway'), POST_PROCESSOR_URL: postProcessor.url });
    system.urls['chat-gateway'] = gateway.url;
    await system.spawn('prefetch-scheduler', endpoints('prefetch-scheduler'));
  });

  afterAll(async () => {
    await system?.stop();
    for (const r of Object.values(recorders)) await Promise.all([r.dynamodb.close(), r.kinesis.close(), r.bedrock.close()]);
    await logs?.close();
  });

  function callsOf(app: PolicyApp): AwsCall[] {
    const r = recorders[app];
    return [
      ...jsonProtocolCalls(r.dynamodb.requests, context),
      ...jsonProtocolCalls(r.kinesis.requests, context),
      ...bedrockCalls(r.bedrock.requests, context),
      ...(app === 'post-processor' ? jsonProtocolCalls(logs.requests, context) : []),
    ];
  }

  async function chat(url: string, text: string, sessionId?: string): Promise<string> {
    const client = await ChatClient.connect(`${url.replace('http', 'ws')}/ws${sessionId ? `?sessionId=${sessionId}` : ''}`, { token: await system.token('u-iam') });
    try {
      const frames = await client.ask(text);
      expect(frames.at(-1)).toMatchObject({ type: 'done', cached: false });
      return client.ready.sessionId;
    } finally {
      client.close();
    }
  }

  it("a chat and its post-processing use only what each app's policy allows, and each policy only what is used", async () => {
    const gateway = system.urls['chat-gateway']!;
    const sessionId = await chat(gateway, `${Date.now()}円以下の少年マンガで、泣ける作品を詳しく比べて`);
    await chat(gateway, '前の質問の続きで、完結している作品だけ教えて', sessionId);
    // Post-processing is off the critical path: wait for its session write and analytics record.
    await waitFor(
      () => {
        const actions = callsOf('post-processor').map((c) => c.action);
        return ['kinesis:PutRecords', 'dynamodb:PutItem', 'bedrock:ApplyGuardrail', 'logs:PutLogEvents'].every((a) => actions.includes(a));
      },
      { timeoutMs: 30_000, description: "the post-processor's session write, analytics record, guardrail check and audit event" },
    );

    const report = Object.fromEntries(POLICY_APPS.map((app) => [app, [...new Set(callsOf(app).map((c) => `${c.action} ${c.resource}`))].sort()]));
    process.stdout.write(`AWS calls seen, per app:\n${JSON.stringify(report, null, 2)}\n`);
    for (const app of POLICY_APPS) {
      const calls = callsOf(app);
      const policy = readPolicy(app);
      expect({ app, refused: calls.filter((c) => !allows(policy, c)) }).toEqual({ app, refused: [] });

      const used = new Set(calls.map((c) => c.action.toLowerCase()));
      const unused = policy.Statement.filter((s) => !NOT_EXERCISED_HERE[app].includes(s.Sid ?? '')).flatMap((s) =>
        (Array.isArray(s.Action) ? s.Action : [s.Action]).filter((a) => !used.has(a.toLowerCase())).map((a) => `${s.Sid}: ${a}`),
      );
      expect({ app, unused }).toEqual({ app, unused: [] });
      for (const sid of NOT_EXERCISED_HERE[app]) expect(policy.Statement.map((s) => s.Sid)).toContain(sid);
    }
  });

  it('refuses what an app has no business doing', () => {
    const table = (name: string) => `arn:aws:dynamodb:${context.region}:${context.account}:table/${name}`;
    const stream = `arn:aws:kinesis:${context.region}:${context.account}:stream/manga-assist-analytics`;
    expect(allows(readPolicy('chat-gateway'), { action: 'dynamodb:GetItem', resource: table('manga-assist-sessions') })).toBe(true);
    expect(allows(readPolicy('chat-gateway'), { action: 'dynamodb:DeleteTable', resource: table('manga-assist-sessions') })).toBe(false);
    expect(allows(readPolicy('chat-gateway'), { action: 'dynamodb:GetItem', resource: table('billing-accounts') })).toBe(false);
    expect(allows(readPolicy('chat-gateway'), { action: 'kinesis:PutRecords', resource: stream })).toBe(false);
    expect(allows(readPolicy('post-processor'), { action: 'kinesis:PutRecords', resource: stream })).toBe(true);
    expect(allows(readPolicy('prefetch-scheduler'), { action: 'dynamodb:PutItem', resource: table('manga-assist-sessions') })).toBe(false);
  });
});
