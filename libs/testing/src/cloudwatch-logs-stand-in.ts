import { startTestServer } from './http-test-server';
import type { RecordedRequest, TestServer } from './http-test-server';

export interface StoredLogEvent {
  timestamp: number;
  message: string;
}

export interface CloudWatchLogsStandIn extends TestServer {
  /** Events per log group, then per stream, in the order accepted. */
  groups: Map<string, Map<string, StoredLogEvent[]>>;
  /** Answers the next `count` PutLogEvents calls with ServiceUnavailableException. */
  failPuts(count: number): void;
}

const json = (status: number, body: unknown, errorType?: string) => ({ status, body, errorType });

/**
 * CloudWatch Logs as its JSON protocol answers CreateLogStream and PutLogEvents, with the checks
 * the service makes that a client must respect: the group and stream must exist, a stream is
 * created once, a batch holds at most 10,000 events and 1,048,576 bytes (UTF-8 + 26 per event)
 * in time order. For tests of code that writes logs through the real SDK.
 */
export async function startCloudWatchLogsStandIn(logGroups: string[]): Promise<CloudWatchLogsStandIn> {
  const groups = new Map<string, Map<string, StoredLogEvent[]>>(logGroups.map((g) => [g, new Map()]));
  let failing = 0;

  const handle = (req: RecordedRequest) => {
    const operation = String(req.headers['x-amz-target'] ?? '').replace('Logs_20140328.', '');
    const input = JSON.parse(req.body || '{}') as { logGroupName?: string; logStreamName?: string; logEvents?: StoredLogEvent[] };
    const group = groups.get(input.logGroupName ?? '');
    if (!group) return json(400, { message: 'The specified log group does not exist.' }, 'ResourceNotFoundException');
    if (operation === 'CreateLogStream') {
      if (group.has(input.logStreamName ?? '')) return json(400, { message: 'The specified log stream already exists' }, 'ResourceAlreadyExistsException');
      group.set(input.logStreamName ?? '', []);
      return json(200, {});
    }
    if (operation === 'PutLogEvents') {
      if (failing > 0) {
        failing--;
        return json(503, { message: 'Service unavailable' }, 'ServiceUnavailableException');
      }
      const stream = group.get(input.logStreamName ?? '');
      if (!stream) return json(400, { message: 'The specified log stream does not exist.' }, 'ResourceNotFoundException');
      const events = input.logEvents ?? [];
      const bytes = events.reduce((sum, e) => sum + Buffer.byteLength(e.message) + 26, 0);
      if (events.length === 0 || events.length > 10_000 || bytes > 1_048_576) {
        return json(400, { message: `batch of ${events.length} events, ${bytes} bytes` }, 'InvalidParameterException');
      }
      if (events.some((e, i) => i > 0 && e.timestamp < events[i - 1]!.timestamp)) {
        return json(400, { message: 'Log events in a single PutLogEvents request must be in chronological order.' }, 'InvalidParameterException');
      }
      stream.push(...events.map(({ timestamp, message }) => ({ timestamp, message })));
      return json(200, {});
    }
    return json(400, { message: `operation ${operation} is not part of this stand-in` }, 'UnknownOperationException');
  };

  const server = await startTestServer((req, res) => {
    const { status, body, errorType } = handle(req);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(JSON.stringify(errorType ? { __type: errorType, ...(body as object) } : body));
  });
  return { ...server, groups, failPuts: (count) => void (failing = count) };
}
