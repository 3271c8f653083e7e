export { createRedisConnection, redactUrl } from './redis-connection';
export type { RedisConnection, RedisConnectionOptions, RedisLogger } from './redis-connection';
