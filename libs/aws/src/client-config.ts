import http from 'node:http';
import https from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface AwsClientOptions {
  region: string;
  /** A local engine (dynalite, kinesalite) or a custom endpoint; production leaves it out. */
  endpoint?: string;
  /**
   * Static placeholder credentials instead of the default provider chain. Defaults to true when
   * an endpoint is given: local engines accept any signature, and a dev machine has no AWS profile.
   */
  localCredentials?: boolean;
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

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Settings shared by every client: an HTTP/1.1 handler with a bounded keep-alive pool (reused
 * sockets keep TLS handshakes off the critical path; HTTP/1.1 is also the only protocol the
 * local engines speak), timeouts, retries, and credentials.
 */
export function clientConfig(options: AwsClientOptions, defaults: ClientDefaults) {
  const maxSockets = options.maxSockets ?? defaults.maxSockets;
  const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
  const useLocalCredentials = options.localCredentials ?? options.endpoint !== undefined;
  return {
    region: options.region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(useLocalCredentials ? { credentials: LOCAL_CREDENTIALS } : {}),
    maxAttempts: options.maxAttempts ?? defaults.maxAttempts,
    retryMode: defaults.retryMode,
    requestHandler: new NodeHttpHandler({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: options.connectionTimeoutMs ?? defaults.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? defaults.requestTimeoutMs,
    }),
  };
}
