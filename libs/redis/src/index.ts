export { createRedisConnection, redactUrl } from './redis-connection';
export type { RedisConnection, RedisConnectionOptions, RedisLogger } from './redis-connection';
export { createWindowedBatch } from './windowed-batch';
export type { WindowedBatch, WindowedBatchOptions } from './windowed-batch';
export { createSubscriberConnection } from './subscriber-connection';
export type { SubscriberConnection, SubscriberConnectionOptions } from './subscriber-connection';
