import { QUEUE_SINKS, sinksFor } from './queue-sinks';

describe('sinks of each queue', () => {
  it('checks only what the drained queues write to, and Redis always', () => {
    expect([...sinksFor(['audit'])].sort()).toEqual(['audit-log', 'redis']);
    expect([...sinksFor(['analytics', 'cache-write'])].sort()).toEqual(['kinesis', 'redis']);
    expect([...sinksFor(['session-update', 'guardrail-check', 'analytics', 'audit', 'cache-write'])].sort()).toEqual(['audit-log', 'dynamodb', 'kinesis', 'redis']);
  });

  it('fans answers out whenever Redis is up: each derived job waits for its own sinks in its own queue', () => {
    expect(QUEUE_SINKS['answered-batch']).toEqual(['redis']);
    expect([...sinksFor(['answered-batch'])]).toEqual(['redis']);
  });

  it('keeps session updates waiting while DynamoDB is away', () => {
    expect(QUEUE_SINKS['session-update']).toContain('dynamodb');
  });
});
