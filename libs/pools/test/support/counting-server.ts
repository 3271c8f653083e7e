import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingServer {
  url: string;
  port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Requests answered so far. */
  answered(): number;
  /** Requests received and not yet answered. */
  pending(): number;
  /** Holds every response from now on until `release`. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

/** A keep-alive HTTP/1.1 server on 127.0.0.1 that counts connections and can hold its answers. */
export async function startCountingServer(): Promise<CountingServer> {
  let connections = 0;
  let answered = 0;
  let holding = false;
  const held: http.ServerResponse[] = [];
  const answer = (res: http.ServerResponse) => {
    answered++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => (holding ? held.push(res) : answer(res)));
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    answered: () => answered,
    pending: () => held.length,
    hold: () => (holding = true),
    release() {
      holding = false;
      for (const res of held.splice(0)) answer(res);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GETs `url` through `agent` and resolves with the body. */
export function get(url: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** The value of one sample in Prometheus text output, or undefined when it is absent. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
