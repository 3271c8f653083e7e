export { PUT_RECORDS_LIMITS, RecordTooLargeError, createRecordBatcher } from './record-batcher';
export type { BatchStats, RecordBatcher, RecordBatcherOptions, StoredRecord, StreamRecord } from './record-batcher';
export { createAnalyticsSink } from './analytics-sink';
export type { AnalyticsLogger, AnalyticsOutcome, AnalyticsSink, AnalyticsSinkOptions } from './analytics-sink';
export { readStreamRecords } from './read-stream';
export type { ReadRecord, ReadStreamOptions } from './read-stream';
