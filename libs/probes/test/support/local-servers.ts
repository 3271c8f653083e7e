import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

export interface Certificate {
  key: string;
  cert: string;
}

/** A self-signed certificate for `commonName`, valid for `days` days from now, made with openssl. */
export async function makeCertificate({ commonName, days }: { commonName: string; days: number }): Promise<Certificate> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'probe-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(days),
      '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=DNS:${commonName}`,
      '-keyout', keyFile, '-out', certFile,
    ]);
    return { key: await fs.readFile(keyFile, 'utf8'), cert: await fs.readFile(certFile, 'utf8') };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export interface LocalServer {
  port: number;
  close(): Promise<void>;
}

function listen(server: net.Server, host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

function closer(server: net.Server, sockets: Set<net.Socket>) {
  return () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

function track(server: net.Server) {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

export interface HttpBehaviour {
  /** Delay before the response headers. */
  delayMs: number;
  status: number;
}

/** An HTTP (or, with a certificate, HTTPS) server whose answer and handshake can be slowed down. */
export async function startWebServer({
  host = '127.0.0.1',
  certificate,
}: { host?: string; certificate?: Certificate } = {}): Promise<LocalServer & { behaviour: HttpBehaviour & { handshakeDelayMs: number } }> {
  const behaviour = { delayMs: 0, status: 200, handshakeDelayMs: 0 };
  const handler: http.RequestListener = (_req, res) => {
    setTimeout(() => {
      res.statusCode = behaviour.status;
      res.end('ok');
    }, behaviour.delayMs);
  };
  const context = certificate ? tls.createSecureContext(certificate) : undefined;
  const server = certificate
    ? https.createServer(
        {
          ...certificate,
          // Holding back the certificate delays the handshake by exactly this much.
          SNICallback: (_name, done) => {
            if (behaviour.handshakeDelayMs > 0) setTimeout(() => done(null, context), behaviour.handshakeDelayMs);
            else done(null, context);
          },
        },
        handler,
      )
    : http.createServer(handler);
  const sockets = track(server);
  const port = await listen(server, host);
  return { port, behaviour, close: closer(server, sockets) };
}

/** A TCP server that accepts and says nothing (a Redis-like port). */
export async function startTcpServer({ host = '127.0.0.1', port: wanted = 0 } = {}): Promise<LocalServer> {
  const server = net.createServer(() => undefined);
  const sockets = track(server);
  const port = await listen(server, host, wanted);
  return { port, close: closer(server, sockets) };
}

/** A port nothing listens on. */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  const port = await listen(server, host);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
