import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsResultEntry } from '@aws-sdk/client-kinesis';

/** Kinesis PutRecords limits: records per call, bytes per call, bytes per record (data + partition key). */
export const PUT_RECORDS_LIMITS = { records: 500, bytes: 5 * 1024 * 1024, recordBytes: 1024 * 1024 } as const;

export interface StreamRecord {
  /** Records with the same key go to the same shard, in order. */
  partitionKey: string;
  data: Uint8Array;
}

export interface StoredRecord {
  shardId: string;
  sequenceNumber: string;
}

export interface BatchStats {
  records: number;
  bytes: number;
  /** Records the stream refused in this call (each is retried on its own). */
  failed: number;
  ms: number;
}

export interface RecordBatcherOptions {
  kinesis: KinesisClient;
  streamName: string;
  /** How long the first record of a batch waits for company. */
  lingerMs?: number;
  maxRecords?: number;
  maxBytes?: number;
  /** Tries per record (a whole failed call, or the record refused within a call) before its put rejects. */
  maxAttempts?: number;
  retryBaseMs?: number;
  /** PutRecords calls in flight at once. */
  maxInFlight?: number;
  onBatch?(stats: BatchStats): void;
}

export interface RecordBatcher {
  /** Resolves once this record is in the stream; rejects when it could not be stored. */
  put(record: StreamRecord): Promise<StoredRecord>;
  /** Records waiting for a batch or a retry. */
  pending(): number;
  /** Sends what is waiting now and resolves once every put so far has settled. */
  close(): Promise<void>;
}

export class RecordTooLargeError extends Error {
  constructor(bytes: number) {
    super(`record of ${bytes} bytes exceeds the Kinesis limit of ${PUT_RECORDS_LIMITS.recordBytes} bytes`);
    this.name = 'RecordTooLargeError';
  }
}

interface Entry {
  record: StreamRecord;
  bytes: number;
  attempts: number;
  resolve(stored: StoredRecord): void;
  reject(error: Error): void;
}

/**
 * Gathers records put by concurrent callers (one per job) into PutRecords calls of at most 500
 * records / 5 MB, sent after `lingerMs` or as soon as a batch is full. Each caller's promise
 * settles with its own record's outcome: after a partial failure only the refused records are
 * sent again, with backoff.
 */
export function createRecordBatcher(options: RecordBatcherOptions): RecordBatcher {
  const {
    kinesis,
    streamName,
    lingerMs = 20,
    maxRecords = PUT_RECORDS_LIMITS.records,
    maxBytes = PUT_RECORDS_LIMITS.bytes,
    maxAttempts = 3,
    retryBaseMs = 50,
    maxInFlight = 4,
    onBatch,
  } = options;
  const waiting: Entry[] = [];
  let waitingBytes = 0;
  let lingerTimer: NodeJS.Timeout | undefined;
  let inFlight = 0;
  let retrying = 0;
  let closing = false;
  const idle: (() => void)[] = [];

  const settleIdle = () => {
    if (waiting.length === 0 && inFlight === 0 && retrying === 0) for (const done of idle.splice(0)) done();
  };

  const takeBatch = (): Entry[] => {
    const batch: Entry[] = [];
    let bytes = 0;
    for (let entry = waiting[0]; entry && batch.length < maxRecords && bytes + entry.bytes <= maxBytes; entry = waiting[0]) {
      waiting.shift();
      bytes += entry.bytes;
      waitingBytes -= entry.bytes;
      batch.push(entry);
    }
    return batch;
  };

  const full = () => waiting.length >= maxRecords || waitingBytes >= maxBytes;

  /** Sends full batches; with `all`, also the last partial one (its linger time is up). */
  const pump = (all: boolean) => {
    if (all) {
      clearTimeout(lingerTimer);
      lingerTimer = undefined;
    }
    while (waiting.length > 0 && inFlight < maxInFlight && (all || full())) void send(takeBatch());
    // What is left waits for its linger time or for a call to finish (which pumps again).
    if (waiting.length > 0 && inFlight < maxInFlight) lingerTimer ??= setTimeout(() => pump(true), lingerMs);
    settleIdle();
  };

  const schedule = () => pump(closing);

  const retryLater = (entries: Entry[], error: Error) => {
    const again: Entry[] = [];
    for (const entry of entries) {
      entry.attempts++;
      if (entry.attempts >= maxAttempts) entry.reject(error);
      else again.push(entry);
    }
    if (again.length === 0) return;
    retrying += again.length;
    // Exponential backoff with full jitter, so refused records do not come back in lockstep.
    const delay = Math.random() * retryBaseMs * 2 ** ((again[0]?.attempts ?? 1) - 1);
    setTimeout(() => {
      retrying -= again.length;
      for (const entry of again) waitingBytes += entry.bytes;
      waiting.unshift(...again);
      schedule();
    }, delay);
  };

  async function send(batch: Entry[]): Promise<void> {
    inFlight++;
    const started = performance.now();
    let failed = 0;
    try {
      const result = await kinesis.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: batch.map((e) => ({ PartitionKey: e.record.partitionKey, Data: e.record.data })),
        }),
      );
      const refused: Entry[] = [];
      let reason = 'refused';
      batch.forEach((entry, i) => {
        const outcome: PutRecordsResultEntry | undefined = result.Records?.[i];
        if (outcome?.SequenceNumber && outcome.ShardId && !outcome.ErrorCode) {
          entry.resolve({ shardId: outcome.ShardId, sequenceNumber: outcome.SequenceNumber });
        } else {
          refused.push(entry);
          reason = `${outcome?.ErrorCode ?? 'NoResult'}: ${outcome?.ErrorMessage ?? 'no result for this record'}`;
        }
      });
      failed = refused.length;
      if (refused.length > 0) retryLater(refused, new Error(`Kinesis refused the record (${reason})`));
    } catch (error) {
      failed = batch.length;
      retryLater(batch, error instanceof Error ? error : new Error(String(error)));
    } finally {
      inFlight--;
      onBatch?.({ records: batch.length, bytes: batch.reduce((n, e) => n + e.bytes, 0), failed, ms: performance.now() - started });
      if (waiting.length > 0) schedule();
      settleIdle();
    }
  }

  return {
    put(record) {
      const bytes = record.data.byteLength + Buffer.byteLength(record.partitionKey, 'utf8');
      if (bytes > PUT_RECORDS_LIMITS.recordBytes) return Promise.reject(new RecordTooLargeError(bytes));
      return new Promise<StoredRecord>((resolve, reject) => {
        waiting.push({ record, bytes, attempts: 0, resolve, reject });
        waitingBytes += bytes;
        schedule();
      });
    },
    pending: () => waiting.length + retrying,
    async close() {
      closing = true;
      pump(true);
      await new Promise<void>((resolve) => {
        idle.push(resolve);
        settleIdle();
      });
    },
  };
}
