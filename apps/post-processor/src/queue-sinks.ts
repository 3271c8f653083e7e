import type { QueueName } from '@manga-assist/queue';

/** Readiness checks of the things jobs write to. */
export type SinkName = 'redis' | 'dynamodb' | 'kinesis' | 'audit-log';

/**
 * What each queue's jobs need reachable before its worker takes jobs: a worker whose sink is away
 * is paused rather than burning the attempts of every job it would pick up.
 */
export const QUEUE_SINKS: Readonly<Record<QueueName, readonly SinkName[]>> = {
  'cache-write': ['redis'],
  'session-update': ['redis', 'dynamodb'],
  'guardrail-check': ['redis'],
  analytics: ['redis', 'kinesis'],
  audit: ['redis', 'audit-log'],
  // The fan-out only adds jobs: the kinds' own workers wait for their sinks.
  'answered-batch': ['redis'],
  'webhook-catalog': ['redis', 'dynamodb'],
  'webhook-payments': ['redis'],
  'webhook-reviews': ['redis'],
  // The operation record is read and written in DynamoDB; progress and tokens go out over Redis.
  analysis: ['redis', 'dynamodb'],
};

/** The sinks a process draining `queues` checks for readiness (Redis always: it holds the queues). */
export function sinksFor(queues: readonly QueueName[]): Set<SinkName> {
  return new Set<SinkName>(['redis', ...queues.flatMap((q) => QUEUE_SINKS[q])]);
}
