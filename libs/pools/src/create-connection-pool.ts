import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Registry } from '@manga-assist/telemetry';
import { registerPoolMetrics } from './pool-metrics';
import type { PoolMetricsHandle, PoolStats } from './pool-metrics';
import { resolvePoolSettings } from './pool-settings';
import type { PoolName, PoolSettings } from './pool-settings';

export interface ConnectionPoolOptions {
  /** One of the known downstreams (their defaults apply), or any name with complete settings. */
  name: PoolName | string;
  /** Overrides on top of the defaults for `name`. */
  settings?: Partial<PoolSettings>;
  /** Resolves host names for new sockets (e.g. a DNS cache's lookup); node's dns.lookup otherwise. */
  lookup?: LookupFunction;
  /** Where the pool's metrics go; none are kept without one. */
  registry?: Registry;
}

export interface ConnectionPool {
  readonly name: string;
  readonly settings: Readonly<PoolSettings>;
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;
  /** Sockets in use, idle, requests waiting for a socket, max per origin, busiest origin's share of it. */
  stats(): PoolStats;
  /**
   * Opens up to n connections to the URL's origin now (pre-warming) and resolves, once they are
   * established, with how many are open and idle in the pool. Each connection carries one GET of
   * the URL (give a cheap path: `/`, a health check), since a socket only joins the keep-alive pool
   * after a response on it; the status does not matter. Failures only lower the count.
   */
  warm(url: string, n: number): Promise<number>;
  /** Closes every socket and drops the pool's metric series. */
  destroy(): void;
}

/**
 * Keep-alive HTTP and HTTPS agents for one downstream, with a connect timeout, an optional
 * lookup and metrics. The pool is node's own: `maxSockets` per origin, a queue beyond it, and
 * idle sockets closed after `keepAliveMs` (or sooner, when the server's Keep-Alive header says so).
 */
export function createConnectionPool(options: ConnectionPoolOptions): ConnectionPool {
  const { name, lookup, registry } = options;
  const settings = Object.freeze(resolvePoolSettings(name, options.settings));
  const agentOptions: https.AgentOptions = {
    keepAlive: true,
    maxSockets: settings.maxSockets,
    maxFreeSockets: settings.maxSockets,
    // Node applies `timeout` to pooled sockets: an idle one is closed once it expires.
    timeout: settings.keepAliveMs,
    // The most recently used socket goes out first, so after a burst the surplus sits idle and times out.
    scheduling: 'lifo',
    ...(lookup === undefined ? {} : { lookup }),
  };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const agents = [httpAgent, httpsAgent];

  const stats = (): PoolStats => readStats(agents, settings.maxSockets);
  let metrics: PoolMetricsHandle | undefined;
  if (registry !== undefined) {
    metrics = registerPoolMetrics(registry, name, stats);
    const observe = metrics.observeCheckoutWait;
    for (const agent of agents) timeCheckouts(agent, observe);
  }
  const onConnected = metrics?.countConnectionOpened ?? (() => undefined);
  for (const agent of agents) limitConnect(agent, name, settings.connectTimeoutMs, onConnected);

  return {
    name,
    settings,
    httpAgent,
    httpsAgent,
    stats,
    warm: (url, n) => warmOrigin(url, n, { httpAgent, httpsAgent }, settings),
    destroy() {
      metrics?.unregister();
      metrics = undefined;
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function readStats(agents: readonly http.Agent[], max: number): PoolStats {
  let active = 0;
  let idle = 0;
  let queued = 0;
  let busiest = 0;
  for (const agent of agents) {
    for (const sockets of Object.values(agent.sockets)) {
      const n = sockets?.length ?? 0;
      active += n;
      if (n > busiest) busiest = n;
    }
    for (const sockets of Object.values(agent.freeSockets)) idle += sockets?.length ?? 0;
    for (const requests of Object.values(agent.requests)) queued += requests?.length ?? 0;
  }
  return { active, idle, queued, max, utilization: Math.min(1, busiest / max) };
}

/** Node's Agent.addRequest: called synchronously by every ClientRequest built on the agent. */
interface AgentInternals {
  addRequest(req: http.ClientRequest, ...rest: unknown[]): void;
}

/** Records how long each request waits for a socket: ~0 while one is free or may be opened. */
function timeCheckouts(agent: http.Agent, observe: (seconds: number) => void): void {
  const internals = agent as unknown as AgentInternals;
  const addRequest = internals.addRequest;
  if (typeof addRequest !== 'function') throw new Error('http.Agent has no addRequest: checkout times cannot be measured');
  internals.addRequest = function timedAddRequest(this: http.Agent, req: http.ClientRequest, ...rest: unknown[]) {
    const start = performance.now();
    req.once('socket', () => observe((performance.now() - start) / 1000));
    addRequest.call(this, req, ...rest);
  };
}

/**
 * Wraps the agent's createConnection: a new socket that is not ready (DNS, TCP, and TLS for https)
 * within `timeoutMs` is destroyed with ETIMEDOUT, which fails its request; a ready one is counted.
 */
function limitConnect(agent: http.Agent, pool: string, timeoutMs: number, onConnected: () => void): void {
  const createConnection = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    let watched = false;
    const watch = (stream: Duplex | null | undefined) => {
      if (watched || !(stream instanceof net.Socket)) return;
      watched = true;
      watchConnect(stream, `${options.host ?? options.hostname ?? 'localhost'}:${String(options.port ?? '')}`);
    };
    const socket = createConnection(
      options,
      callback &&
        ((error, stream) => {
          if (error === null) watch(stream);
          callback(error, stream);
        }),
    );
    watch(socket);
    return socket;
  };

  function watchConnect(socket: net.Socket, target: string): void {
    const ready = socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`Pool "${pool}": connecting to ${target} took longer than ${timeoutMs} ms`), {
        code: 'ETIMEDOUT',
      });
      socket.destroy(error);
    }, timeoutMs);
    timer.unref();
    const stop = () => clearTimeout(timer);
    socket.once('close', stop);
    socket.once(ready, () => {
      stop();
      socket.off('close', stop);
      onConnected();
    });
  }
}

async function warmOrigin(
  url: string,
  n: number,
  agents: { httpAgent: http.Agent; httpsAgent: https.Agent },
  settings: PoolSettings,
): Promise<number> {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`warm: n must be a non-negative integer, got ${String(n)}`);
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new Error(`warm: ${url} is not an http or https URL`);
  }
  const secure = target.protocol === 'https:';
  const send = secure ? https.request : http.request;
  const agent = secure ? agents.httpsAgent : agents.httpAgent;
  // Bounds a server that accepts the connection but never answers.
  const responseTimeoutMs = settings.idleTimeoutMs ?? settings.connectTimeoutMs;
  // All requests are issued in one tick, so each takes its own socket (an idle one, else a new one).
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket | undefined>((resolve) => {
          let socket: net.Socket | undefined;
          let answered = false;
          // GET, not HEAD: node does not keep a socket alive after a HEAD answered without Content-Length.
          const req = send(target, { method: 'GET', agent }, (res) => {
            answered = true;
            res.resume();
          });
          req.once('socket', (s: net.Socket) => (socket = s));
          req.setTimeout(responseTimeoutMs, () => req.destroy());
          req.on('error', () => undefined);
          req.once('close', () => resolve(answered ? socket : undefined));
          req.end();
        }),
    ),
  );
  // A socket the server closed after answering (Connection: close) is not warm.
  return new Set(sockets.filter((s): s is net.Socket => s !== undefined && !s.destroyed)).size;
}
