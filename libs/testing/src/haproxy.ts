import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { spawnProcess } from './spawn-process';
import type { SpawnedProcess } from './spawn-process';
import { waitFor } from './wait-for';

export interface HaproxyOptions {
  /** Base URLs of the servers behind it (`http://127.0.0.1:<port>`), named `s1`, `s2`, … in order. */
  backends: string[];
  /** `leastconn` (default) suits long-lived WebSockets; `roundrobin` spreads requests in turn. */
  balance?: 'leastconn' | 'roundrobin';
  /** Health check: GET of this path, 200 = up (default `/readyz`). */
  healthPath?: string;
  /** Milliseconds between health checks (default 200); two failures in a row mark a server down, two passes up. */
  checkIntervalMs?: number;
  /** The haproxy binary (default `HAPROXY_PATH`, else `/usr/sbin/haproxy`, else `haproxy` on PATH). */
  executable?: string;
}

export type HaproxyServerState = 'UP' | 'DOWN' | 'MAINT' | 'NOLB' | 'no check' | string;

export interface Haproxy {
  /** Base URL clients connect to (`http://127.0.0.1:<port>`; `ws://` for WebSockets). */
  url: string;
  /** The generated configuration, as written to `configPath`. */
  config: string;
  configPath: string;
  process: SpawnedProcess;
  /** The health-check state of each backend server (`s1`, `s2`, …) from HAProxy's stats. */
  serverStates(): Promise<Record<string, HaproxyServerState>>;
  /** Resolves once every server is UP. */
  waitAllUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Generates an HAProxy configuration for an HTTP/WebSocket load balancer on loopback: health
 * checks on readiness, WebSocket tunnels kept open for an hour, a request sent to a refusing server
 * retried on another. The same settings as the README's example.
 */
export function haproxyConfig({ frontendPort, statsPort, backends, balance = 'leastconn', healthPath = '/readyz', checkIntervalMs = 200 }: HaproxyOptions & { frontendPort: number; statsPort: number }): string {
  const servers = backends.map((url, i) => {
    const { hostname, port } = new URL(url);
    return `  server s${i + 1} ${hostname}:${port} check`;
  });
  return [
    'global',
    // Each client costs two descriptors (its side and the server's): within a default ulimit of 20000.
    '  maxconn 4096',
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    // An upgraded WebSocket is a tunnel: idle for up to an hour (the ALB's idle timeout in AWS is 10 minutes).
    '  timeout tunnel 1h',
    '  timeout client-fin 5s',
    // A busy server's /readyz may take a moment: slow is not down.
    '  timeout check 2s',
    // A connection refused by a server that died before its check noticed is retried on another.
    '  retries 3',
    '  option redispatch 1',
    '',
    'frontend chat',
    `  bind 127.0.0.1:${frontendPort}`,
    '  default_backend gateways',
    '',
    'backend gateways',
    `  balance ${balance}`,
    `  option httpchk GET ${healthPath}`,
    '  http-check expect status 200',
    `  default-server inter ${checkIntervalMs}ms fastinter ${checkIntervalMs}ms downinter ${checkIntervalMs}ms fall 2 rise 2`,
    ...servers,
    '',
    'listen stats',
    `  bind 127.0.0.1:${statsPort}`,
    '  stats enable',
    '  stats uri /stats',
    '',
  ].join('\n');
}

/** Starts a real HAProxy (Debian package `haproxy`) in front of `backends`, its configuration in a temp dir. */
export async function startHaproxy(options: HaproxyOptions): Promise<Haproxy> {
  const executable = options.executable ?? process.env['HAPROXY_PATH'] ?? (existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy');
  const [frontendPort, statsPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'manga-assist-haproxy-'));
  const config = haproxyConfig({ ...options, frontendPort, statsPort });
  const configPath = path.join(dir, 'haproxy.cfg');
  writeFileSync(configPath, config);
  // -db: stay in the foreground (the test owns the process), -f: the generated file.
  const child = spawnProcess(executable, ['-db', '-f', configPath]);
  const url = `http://127.0.0.1:${frontendPort}`;
  const stop = async () => {
    await child.stop('SIGTERM', { killAfterMs: 3000 });
    rmSync(dir, { recursive: true, force: true });
  };

  const serverStates = async () => {
    const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text();
    const [header = '', ...rows] = csv.replace(/^# /, '').trim().split('\n');
    const columns = header.split(',');
    const states: Record<string, HaproxyServerState> = {};
    for (const row of rows) {
      const cells = new Map(row.split(',').map((cell, i) => [columns[i], cell]));
      const server = cells.get('svname') ?? '';
      if (cells.get('pxname') === 'gateways' && /^s\d+$/.test(server)) states[server] = (cells.get('status') ?? '').split(' ')[0] ?? '';
    }
    return states;
  };
  const waitAllUp = async (timeoutMs = 10_000) => {
    await waitFor(async () => Object.values(await serverStates()).filter((s) => s === 'UP').length === options.backends.length, {
      timeoutMs,
      intervalMs: 100,
      description: `every server behind HAProxy up; its output:\n${child.output().slice(-2000)}`,
    });
  };
  try {
    const answering = waitFor(async () => (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`).catch(() => null))?.ok, { timeoutMs: 10_000, intervalMs: 50, description: 'HAProxy answering' });
    // A configuration or limit HAProxy refuses ends it at once: fail quoting what it said.
    const exited = child.exited.then((exit) => {
      throw new Error(`haproxy exited (code ${exit.code}, signal ${exit.signal}) before answering:\n${child.output().slice(-2000)}`);
    });
    await Promise.race([answering, exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, config, configPath, process: child, serverStates, waitAllUp, stop };
}
