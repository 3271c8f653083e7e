import { createLogsClient } from '@manga-assist/aws';
import { startCloudWatchLogsStandIn } from '@manga-assist/testing';
import type { CloudWatchLogsStandIn } from '@manga-assist/testing';
import type { AuditRecord } from './audit-record';
import { createCloudWatchAuditSink } from './cloudwatch-audit-sink';

const GROUP = 'manga-assist-audit';

const record = (n: number, answer = `『ワンピース』がおすすめです (${n})`): AuditRecord => ({
  traceId: `trace-${n}`,
  requestId: `req-${n}`,
  sessionId: 'session-1',
  model: 'haiku',
  question: 'おすすめは？',
  answer,
  redactions: { email: 0, phone: 0, card: 0 },
  at: '2026-11-24T12:00:00.000Z',
  recordedAt: '2026-11-24T12:00:00.010Z',
});

describe('CloudWatch Logs audit sink (real SDK against a stand-in)', () => {
  let logs: CloudWatchLogsStandIn;
  beforeEach(async () => {
    logs = await startCloudWatchLogsStandIn([GROUP]);
  });
  afterEach(() => logs.close());

  const client = () => createLogsClient({ region: 'ap-northeast-1', endpoint: logs.url });
  const operations = () => logs.requests.map((r) => String(r.headers['x-amz-target']).replace('Logs_20140328.', ''));
  const stored = (stream: string) => logs.groups.get(GROUP)?.get(stream)?.map((e) => JSON.parse(e.message) as AuditRecord) ?? [];

  it('writes records that arrive together as one PutLogEvents call, in its own stream, each resolved once accepted', async () => {
    const sink = createCloudWatchAuditSink({ client: client(), logGroupName: GROUP, logStreamName: 'pp-a' });
    await Promise.all(Array.from({ length: 25 }, (_, i) => sink.append(record(i))));
    expect(stored('pp-a').map((r) => r.traceId)).toEqual(Array.from({ length: 25 }, (_, i) => `trace-${i}`));
    expect(operations()).toEqual(['CreateLogStream', 'PutLogEvents']);
    // Signed for the logs service.
    expect(String(logs.requests[1]!.headers['authorization'])).toMatch(/\/ap-northeast-1\/logs\/aws4_request/);
    await sink.append(record(99));
    expect(operations()).toEqual(['CreateLogStream', 'PutLogEvents', 'PutLogEvents']);
    await sink.close();
  });

  it('splits what exceeds one call into several, in time order', async () => {
    const sink = createCloudWatchAuditSink({ client: client(), logGroupName: GROUP, logStreamName: 'pp-big' });
    // 12 records of ~100 KB: at most 10 fit in a 1 MB call.
    const big = 'あ'.repeat(33_000);
    await Promise.all(Array.from({ length: 12 }, (_, i) => sink.append(record(i, big))));
    expect(operations().filter((o) => o === 'PutLogEvents')).toHaveLength(2);
    const events = logs.groups.get(GROUP)!.get('pp-big')!;
    expect(events).toHaveLength(12);
    expect(events.every((e, i) => i === 0 || e.timestamp >= events[i - 1]!.timestamp)).toBe(true);
    await sink.close();
  });

  it('rejects the appends of a failed call, so their jobs retry, and stores them on the next try', async () => {
    const sink = createCloudWatchAuditSink({ client: client(), logGroupName: GROUP, logStreamName: 'pp-retry' });
    await sink.check();
    logs.failPuts(1);
    const first = await Promise.allSettled([sink.append(record(1)), sink.append(record(2))]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(stored('pp-retry')).toEqual([]);
    await Promise.all([sink.append(record(1)), sink.append(record(2))]);
    expect(stored('pp-retry').map((r) => r.traceId)).toEqual(['trace-1', 'trace-2']);
    await sink.close();
  });

  it('creates its stream again when it was deleted, and fails readiness when the group is missing', async () => {
    const sink = createCloudWatchAuditSink({ client: client(), logGroupName: GROUP, logStreamName: 'pp-gone' });
    await sink.append(record(1));
    logs.groups.get(GROUP)!.delete('pp-gone');
    await sink.append(record(2));
    expect(stored('pp-gone').map((r) => r.traceId)).toEqual(['trace-2']);
    await sink.close();

    const orphan = createCloudWatchAuditSink({ client: client(), logGroupName: 'no-such-group', logStreamName: 'pp-x' });
    await expect(orphan.check()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await orphan.close();
  });
});
