export { DEFAULT_POOL_SETTINGS } from './pool-settings';
export type { PoolName, PoolSettings } from './pool-settings';
export { createConnectionPool } from './create-connection-pool';
export type { ConnectionPool, ConnectionPoolOptions } from './create-connection-pool';
export type { PoolStats } from './pool-metrics';
export { awsRequestHandler } from './aws-request-handler';
export type { AwsRequestHandlerOptions } from './aws-request-handler';
