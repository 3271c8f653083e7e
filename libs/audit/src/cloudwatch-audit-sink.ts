import { CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchLogsClient, InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { AuditRecord } from './audit-record';
import type { AuditSink } from './audit-sink';

export interface CloudWatchAuditSinkOptions {
  client: CloudWatchLogsClient;
  /** The audit log group; it must exist (the deployment template creates it with its retention). */
  logGroupName: string;
  /** This process's own stream (created on first use), so that no two writers share one. */
  logStreamName: string;
  /** How long the first record of a batch waits for others (they share one PutLogEvents call). */
  lingerMs?: number;
  now?: () => number;
}

interface Pending {
  event: InputLogEvent;
  bytes: number;
  resolve(): void;
  reject(error: Error): void;
}

/** PutLogEvents limits: 10,000 events and 1,048,576 bytes, each event counting its UTF-8 size plus 26. */
export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD_BYTES = 26;

const isAwsError = (error: unknown, name: string) => (error as { name?: unknown } | null)?.name === name;

/**
 * Audit records as CloudWatch Logs events (one JSON record per event) in a stream of this process.
 * Appends that arrive within `lingerMs` share one PutLogEvents call, up to its limits; each append
 * resolves once CloudWatch accepted its event, and rejects (so the job retries) when the call
 * fails or CloudWatch refused that event. The stream is created on first use, and again if it was
 * deleted. Readers dedupe by `traceId`, as with the JSON-lines sink.
 */
export function createCloudWatchAuditSink({ client, logGroupName, logStreamName, lingerMs = 20, now = () => Date.now() }: CloudWatchAuditSinkOptions): AuditSink {
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  let sending: Promise<void> = Promise.resolve();
  let streamReady: Promise<void> | null = null;
  let lastTimestamp = 0;
  let closed = false;

  function ensureStream(): Promise<void> {
    streamReady ??= client
      .send(new CreateLogStreamCommand({ logGroupName, logStreamName }))
      .then(() => undefined)
      .catch((error: unknown) => {
        if (isAwsError(error, 'ResourceAlreadyExistsException')) return;
        streamReady = null;
        throw error;
      });
    return streamReady;
  }

  async function put(batch: Pending[]): Promise<void> {
    const send = () => client.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: batch.map((p) => p.event) }));
    await ensureStream();
    let response;
    try {
      response = await send();
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
      // The stream was deleted under us: make it again, once.
      streamReady = null;
      await ensureStream();
      response = await send();
    }
    const info = response.rejectedLogEventsInfo;
    const refused = (i: number) =>
      (info?.tooNewLogEventStartIndex !== undefined && i >= info.tooNewLogEventStartIndex) ||
      (info?.tooOldLogEventEndIndex !== undefined && i < info.tooOldLogEventEndIndex) ||
      (info?.expiredLogEventEndIndex !== undefined && i < info.expiredLogEventEndIndex);
    batch.forEach((p, i) => (refused(i) ? p.reject(new Error(`CloudWatch Logs refused the audit event of ${logStreamName} (too old, too new or expired)`)) : p.resolve()));
  }

  /** Sends what is queued, in batches within PutLogEvents' limits, one call at a time. */
  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const taken = queue;
    queue = [];
    while (taken.length > 0) {
      const batch: Pending[] = [];
      let bytes = 0;
      while (taken.length > 0 && batch.length < MAX_BATCH_EVENTS && bytes + taken[0]!.bytes <= MAX_BATCH_BYTES) {
        const next = taken.shift()!;
        bytes += next.bytes;
        batch.push(next);
      }
      // One call at a time: the events of a stream must arrive in time order.
      sending = sending.then(() =>
        put(batch).catch((error: unknown) => {
          const reason = error instanceof Error ? error : new Error(String(error));
          for (const p of batch) p.reject(reason);
        }),
      );
    }
    return sending;
  }

  return {
    append(record: AuditRecord) {
      if (closed) return Promise.reject(new Error('audit sink is closed'));
      const message = JSON.stringify(record);
      const bytes = Buffer.byteLength(message) + EVENT_OVERHEAD_BYTES;
      if (bytes > MAX_BATCH_BYTES) return Promise.reject(new Error(`audit record of ${record.traceId} is ${bytes} bytes, over CloudWatch's ${MAX_BATCH_BYTES}`));
      return new Promise<void>((resolve, reject) => {
        // Timestamps never go backwards within the stream, whatever the clock does.
        lastTimestamp = Math.max(now(), lastTimestamp);
        queue.push({ event: { timestamp: lastTimestamp, message }, bytes, resolve, reject });
        if (queue.length >= MAX_BATCH_EVENTS) void flush();
        else timer ??= setTimeout(() => void flush(), lingerMs);
      });
    },
    check: () => ensureStream(),
    async close() {
      closed = true;
      await flush();
      client.destroy();
    },
  };
}
