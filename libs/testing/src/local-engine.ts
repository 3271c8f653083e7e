import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { assertPortFree } from './free-port';

/** A running in-process AWS-compatible engine (dynalite, kinesalite). */
export interface LocalEngine {
  endpoint: string;
  port: number;
  /** Closes the HTTP server and the engine's store; safe to call twice. */
  stop(): Promise<void>;
}

export interface LocalEngineOptions {
  /** LevelDB directory: data survives restarts. In memory when omitted. */
  path?: string;
  /** 0 (the default) lets the OS pick a free port. */
  port?: number;
  host?: string;
}

/** Both engines export `(options) => http.Server` and ship no type declarations. */
export type EngineFactory = (options: Record<string, unknown>) => Server;

/**
 * Loads an engine package when first used rather than at import time: they pull in native
 * LevelDB bindings that most importers of this lib never need. createRequire also spares the
 * untyped packages an ambient module declaration every consumer would have to include.
 */
export function loadEngine(packageName: 'dynalite' | 'kinesalite'): EngineFactory {
  return createRequire(__filename)(packageName) as EngineFactory;
}

export async function listenEngine(
  name: string,
  server: Server,
  { port = 0, host = '127.0.0.1' }: LocalEngineOptions,
): Promise<LocalEngine> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`${name}: no TCP address`);
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${address.port}`,
    port: address.port,
    stop() {
      stopping ??= new Promise<void>((resolve, reject) => {
        // The engines' close() also closes their LevelDB store. Every connection is dropped, as
        // in an outage: a client that keeps reusing its keep-alive sockets (an app retrying its
        // writes) would otherwise hold the server, and its store, open indefinitely.
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

export async function startEngine(
  name: string,
  options: LocalEngineOptions,
  create: () => Server,
): Promise<LocalEngine> {
  // A taken port must fail before the engine opens its store: a server that never listened
  // cannot be closed, and its store would stay locked for the rest of the process.
  await assertPortFree(options.port ?? 0, options.host ?? '127.0.0.1', name);
  return listenEngine(name, create(), options);
}
