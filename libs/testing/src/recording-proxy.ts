import http from 'node:http';
import { listenLocally } from './http-test-server';
import type { RecordedRequest } from './http-test-server';

export interface RecordingProxy {
  url: string;
  /** Every request passed on, in arrival order (body as UTF-8 text). */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * An HTTP/1.1 proxy on a free local port that passes every request to `target` byte for byte and
 * records it: put it between an app and a local engine to see which API calls the app makes.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const to = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = http.createServer((incoming, res) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (c: Buffer) => chunks.push(c));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body: body.toString('utf8') });
      const upstream = http.request(
        { host: to.hostname, port: to.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  return { ...(await listenLocally(server)), requests };
}
