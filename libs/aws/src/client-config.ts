import http from 'node:http';
import https from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { awsRequestHandler } from '@manga-assist/pools';
import type { ConnectionPool } from '@manga-assist/pools';
import { LOCAL_CREDENTIALS, isLocalStandIn } from '@manga-assist/config';

export interface AwsClientOptions {
  region: string;
  /** A local engine (dynalite, kinesalite) or a custom endpoint; production leaves it out. */
  endpoint?: string;
  /**
   * The app's LOCAL_STACK setting (default true: tests and tools talk to local engines). With it, an
   * endpoint that is not an AWS host gets placeholder credentials (`isLocalStandIn`); otherwise, and
   * for every AWS host, the SDK's default credential chain signs.
   */
  localStack?: boolean;
  /** Overrides the rule above: placeholder credentials or the default chain. */
  localCredentials?: boolean;
  /**
   * A shared keep-alive pool (its sockets, connect and idle timeouts, metrics) instead of the
   * client's own agents; the pool then sets the socket limit and connect timeout, so `maxSockets`
   * and `connectionTimeoutMs` must be left out, and the request timeout fails the call rather than
   * only logging. `client.destroy()` leaves the pool's sockets open: `pool.destroy()` closes them.
   */
  pool?: ConnectionPool;
  maxSockets?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxAttempts?: number;
}

interface ClientDefaults {
  maxSockets: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
}

/**
 * Settings shared by every client: an HTTP/1.1 handler with a bounded keep-alive pool (reused
 * sockets keep TLS handshakes off the critical path; HTTP/1.1 is also the only protocol the
 * local engines speak), timeouts, retries, and credentials. The pool is the client's own unless
 * `options.pool` gives a shared one.
 */
export function clientConfig(options: AwsClientOptions, defaults: ClientDefaults) {
  const useLocalCredentials = options.localCredentials ?? isLocalStandIn(options.localStack ?? true, options.endpoint);
  return {
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(useLocalCredentials ? { credentials: LOCAL_CREDENTIALS } : {}),
    maxAttempts: options.maxAttempts ?? defaults.maxAttempts,
    retryMode: defaults.retryMode,
    requestHandler: options.pool === undefined ? ownRequestHandler(options, defaults) : pooledRequestHandler(options.pool, options, defaults),
  };
}

function ownRequestHandler(options: AwsClientOptions, defaults: ClientDefaults): NodeHttpHandler {
  const maxSockets = options.maxSockets ?? defaults.maxSockets;
  const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
  return new NodeHttpHandler({
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    connectionTimeout: options.connectionTimeoutMs ?? defaults.connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs ?? defaults.requestTimeoutMs,
  });
}

function pooledRequestHandler(pool: ConnectionPool, options: AwsClientOptions, defaults: ClientDefaults): NodeHttpHandler {
  if (options.maxSockets !== undefined || options.connectionTimeoutMs !== undefined) {
    throw new Error(`maxSockets and connectionTimeoutMs come from the pool "${pool.name}"; leave them out when passing a pool`);
  }
  return awsRequestHandler(pool, { requestTimeoutMs: options.requestTimeoutMs ?? defaults.requestTimeoutMs });
}
