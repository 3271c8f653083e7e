import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ConnectionPool } from './create-connection-pool';

export interface AwsRequestHandlerOptions {
  /** Whole-request limit; an exceeded one fails the call with a retryable TimeoutError. Unset: none. */
  requestTimeoutMs?: number;
}

/**
 * A pool outlives the clients built on it (several may share it), so a client's destroy() must
 * not close its sockets; `pool.destroy()` does.
 */
class PooledHttpHandler extends NodeHttpHandler {
  override destroy(): void {
    // The pool owns the agents.
  }
}

/**
 * An AWS SDK v3 request handler (HTTP/1.1) on the pool's agents, with its connect timeout and,
 * when set, its idle (read) timeout: `new DynamoDBClient({ requestHandler: awsRequestHandler(pool) })`.
 */
export function awsRequestHandler(pool: ConnectionPool, options: AwsRequestHandlerOptions = {}): NodeHttpHandler {
  const { requestTimeoutMs } = options;
  const { connectTimeoutMs, idleTimeoutMs } = pool.settings;
  return new PooledHttpHandler({
    httpAgent: pool.httpAgent,
    httpsAgent: pool.httpsAgent,
    connectionTimeout: connectTimeoutMs,
    ...(idleTimeoutMs === undefined ? {} : { socketTimeout: idleTimeoutMs }),
    // Without throwOnRequestTimeout the handler only logs a warning when the limit passes.
    ...(requestTimeoutMs === undefined ? {} : { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true }),
  });
}
