// The post-processor's optional AWS-managed parts, built from its config: the audit sink on
// CloudWatch Logs and Bedrock's ApplyGuardrail. Each gets its own keep-alive pool (through the DNS
// cache) and one attempt per call: a failed audit append fails its job, which BullMQ retries; a
// failed guardrail call leaves the in-process verdict to stand alone.
import os from 'node:os';
import type { LookupFunction } from 'node:net';
import { createLogsClient, isLocalStandIn } from '@manga-assist/aws';
import { createCloudWatchAuditSink, createJsonlAuditSink } from '@manga-assist/audit';
import type { AuditSink } from '@manga-assist/audit';
import { createBedrockGuardrail } from '@manga-assist/guardrails';
import type { RemoteGuardrail } from '@manga-assist/guardrails';
import { awsRequestHandler, createConnectionPool } from '@manga-assist/pools';
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

/**
 * Bedrock ApplyGuardrail when GUARDRAIL_PROVIDER=bedrock (the schema made sure of its id), through
 * a pool with the model pool's settings: the same bedrock-runtime host.
 */
export function createRemoteGuardrail(config: PostProcessorConfig, { lookup, registry }: Deps): { guardrail?: RemoteGuardrail; pool?: ConnectionPool } {
  if (config.GUARDRAIL_PROVIDER !== 'bedrock' || !config.BEDROCK_GUARDRAIL_ID) return {};
  const pool = createConnectionPool({ name: 'model', lookup, registry });
  const guardrail = createBedrockGuardrail({
    region: config.AWS_REGION,
    guardrailId: config.BEDROCK_GUARDRAIL_ID,
    guardrailVersion: config.BEDROCK_GUARDRAIL_VERSION,
    endpoint: config.BEDROCK_ENDPOINT,
    localCredentials: isLocalStandIn(config.LOCAL_STACK, config.BEDROCK_ENDPOINT),
    timeoutMs: config.BEDROCK_GUARDRAIL_TIMEOUT_MS,
    requestHandler: awsRequestHandler(pool, { requestTimeoutMs: config.BEDROCK_GUARDRAIL_TIMEOUT_MS }),
  });
  return { guardrail, pool };
}
