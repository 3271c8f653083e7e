// The post-processor's audit sink, built from its config: JSON-lines files, or CloudWatch Logs
// through its own keep-alive pool (through the DNS cache) and one attempt per call: a failed audit
// append fails its job, which BullMQ retries. (Bedrock's ApplyGuardrail: createConfiguredGuardrail
// in the guardrails lib.)
import os from 'node:os';
import type { LookupFunction } from 'node:net';
import { createLogsClient } from '@manga-assist/aws';
import { isLocalStandIn } from '@manga-assist/config';
import { createCloudWatchAuditSink, createJsonlAuditSink } from '@manga-assist/audit';
import type { AuditSink } from '@manga-assist/audit';
import { createConnectionPool } from '@manga-assist/pools';
import type { ConnectionPool } from '@manga-assist/pools';
import type { Registry } from '@manga-assist/telemetry';
import type { PostProcessorConfig } from './config';

interface Deps {
  lookup: LookupFunction;
  registry: Registry;
}

/** JSON-lines files, or with AUDIT_SINK=cloudwatch events in this process's own log stream. */
export function createAuditSink(config: PostProcessorConfig, { lookup, registry }: Deps): { sink: AuditSink; pool?: ConnectionPool } {
  if (config.AUDIT_SINK === 'jsonl') return { sink: createJsonlAuditSink({ dir: config.AUDIT_DIR, maxFileBytes: config.AUDIT_MAX_FILE_BYTES }) };
  const pool = createConnectionPool({
    name: 'logs',
    settings: { maxSockets: 5, keepAliveMs: 300_000, connectTimeoutMs: 1_000, idleTimeoutMs: 5_000 },
    lookup,
    registry,
  });
  const client = createLogsClient({
    region: config.AWS_REGION,
    endpoint: config.LOGS_ENDPOINT,
    localCredentials: isLocalStandIn(config.LOCAL_STACK, config.LOGS_ENDPOINT),
    pool,
  });
  const sink = createCloudWatchAuditSink({
    client,
    logGroupName: config.AUDIT_LOG_GROUP ?? `${config.TABLE_PREFIX}audit`,
    // One stream per process: no two writers share a stream.
    logStreamName: `post-processor/${os.hostname()}/${process.pid}-${Date.now()}`,
    lingerMs: config.AUDIT_LINGER_MS,
  });
  return { sink, pool };
}
