// AUDIT_SINK=cloudwatch: the built post-processor writes each audit record, personal data removed,
// as one event in its own CloudWatch Logs stream (the real SDK against a stand-in that checks what
// the service checks), completes the job once the event is accepted, and retries it while
// CloudWatch refuses; a job that runs again writes nothing twice.
import { randomBytes } from 'node:crypto';
import type { AuditRecord } from '@manga-assist/audit';
import type { AuditJob } from '@manga-assist/contracts';
import { startCloudWatchLogsStandIn, waitFor } from '@manga-assist/testing';
import type { CloudWatchLogsStandIn } from '@manga-assist/testing';
import { startPostProcessorSystem } from './post-processor-system';
import type { PostProcessorSystem } from './post-processor-system';

jest.setTimeout(60_000);

const GROUP = '/manga-assist/test-audit';

const audit = (answer: string): AuditJob => ({
  traceId: randomBytes(16).toString('hex'),
  sessionId: 's-1',
  requestId: `r-${randomBytes(3).toString('hex')}`,
  question: '連絡先は？',
  answer,
  model: 'haiku',
  at: new Date().toISOString(),
});

describe('audit records in CloudWatch Logs', () => {
  let system: PostProcessorSystem;
  let logs: CloudWatchLogsStandIn;

  beforeAll(async () => {
    logs = await startCloudWatchLogsStandIn([GROUP]);
    system = await startPostProcessorSystem({ AUDIT_SINK: 'cloudwatch', AUDIT_LOG_GROUP: GROUP, LOGS_ENDPOINT: logs.url });
    system.start();
    await system.ready();
  });
  afterAll(async () => {
    await system?.stop();
    await logs?.close();
  });

  const events = () => [...(logs.groups.get(GROUP)?.values() ?? [])].flat().map((e) => JSON.parse(e.message) as AuditRecord);
  const completed = (job: AuditJob) =>
    waitFor(async () => (await system.queues.get('audit').getJobState(`audit.${job.traceId}`)) === 'completed', {
      timeoutMs: 20_000,
      description: `audit job ${job.requestId} completed`,
    });

  it('writes one redacted event per record into a stream of its own, and completes the job', async () => {
    const job = audit('お問い合わせは 090-1234-5678 まで');
    system.producer.enqueue('audit', job);
    await completed(job);
    const mine = events().filter((r) => r.traceId === job.traceId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ requestId: job.requestId, answer: 'お問い合わせは [redacted phone] まで', redactions: { phone: 1 } });
    expect([...logs.groups.get(GROUP)!.keys()]).toEqual([expect.stringMatching(/^post-processor\/[^/]+\/\d+-\d+$/)]);
  });

  it('retries while CloudWatch refuses, then writes the record once, and never again for the same trace', async () => {
    logs.failPuts(2);
    const job = audit('『ワンピース』がおすすめです。');
    system.producer.enqueue('audit', job);
    await completed(job);
    expect(events().filter((r) => r.traceId === job.traceId)).toHaveLength(1);
    expect((await system.queues.get('audit').getJob(`audit.${job.traceId}`))?.attemptsMade).toBeGreaterThanOrEqual(3);

    // The same job again (a redelivery): the marker keeps the log free of duplicates.
    await system.queues.get('audit').remove(`audit.${job.traceId}`);
    system.producer.enqueue('audit', job);
    await completed(job);
    expect(events().filter((r) => r.traceId === job.traceId)).toHaveLength(1);
  });
});
