import { connect } from 'node:net';
import type { Redis } from 'ioredis';

export interface RedisCommandWatch {
  /** The commands (lower-cased names) one client connection sent since the watch began. */
  sentBy(client: Redis): string[];
  stop(): void;
}

/**
 * Watches every command the test Redis receives (MONITOR, on a plain socket of its own: a client
 * library's monitor mode can trip over replies still arriving as it disconnects), so a test can
 * count what one of its clients sent. Resolves once Redis has confirmed the MONITOR.
 */
export function watchRedisCommands(redisUrl: string): Promise<RedisCommandWatch> {
  const url = new URL(redisUrl);
  const lines: string[] = [];
  let pending = '';
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 6379) });
    let confirmed = false;
    socket.setEncoding('utf8');
    socket.once('error', reject);
    socket.on('connect', () => socket.write('MONITOR\r\n'));
    socket.on('data', (chunk: string) => {
      pending += chunk;
      const complete = pending.split('\r\n');
      pending = complete.pop() ?? '';
      for (const line of complete) {
        if (!confirmed && line === '+OK') {
          confirmed = true;
          resolve({
            sentBy(client) {
              const port = (client as unknown as { stream?: { localPort?: number } }).stream?.localPort;
              const from = ` ${url.hostname}:${port}] "`;
              return lines.filter((l) => l.includes(from)).map((l) => l.slice(l.indexOf(from) + from.length).split('"')[0]!.toLowerCase());
            },
            stop: () => socket.destroy(),
          });
        } else lines.push(line);
      }
    });
  });
}
