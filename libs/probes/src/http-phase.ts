import http from 'node:http';
import type { Duplex } from 'node:stream';
import { PhaseError, elapsedSince, errorCode } from './phase-error';

export interface HttpRequestOptions {
  /** A connected socket (plain or TLS): the request reuses it, so this phase times the server alone. */
  socket: Duplex;
  host: string;
  port: number;
  path: string;
  timeoutMs: number;
}

/** Sends GET `path` on the socket; resolves with the time until the response headers, and the status. */
export function requestHttp({ socket, host, port, path, timeoutMs }: HttpRequestOptions): Promise<{ ms: number; statusCode: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.request({
      createConnection: () => socket,
      host,
      port,
      path,
      method: 'GET',
      headers: { 'user-agent': 'manga-assist-health-checker', connection: 'close' },
    });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new PhaseError(`HTTP GET ${path} timed out after ${timeoutMs} ms`, 'ETIMEOUT', elapsedSince(started)));
    }, timeoutMs);
    request.once('response', (response) => {
      clearTimeout(timer);
      const ms = elapsedSince(started);
      response.resume();
      response.once('end', () => socket.destroy());
      resolve({ ms, statusCode: response.statusCode ?? 0 });
    });
    request.once('error', (error) => {
      clearTimeout(timer);
      const code = errorCode(error);
      reject(new PhaseError(`HTTP GET ${path} failed: ${code}`, code, elapsedSince(started)));
    });
    request.end();
  });
}
