// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../../libs/testing/src/dns2.d.ts" />
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { Packet, createServer } from 'dns2';

/** Delays the local endpoints add, so both checkers have something known to measure. */
export interface InducedDelays {
  dnsMs: number;
  tlsMs: number;
  httpMs: number;
}

export interface LocalEndpoints {
  host: string;
  dnsServer: string;
  httpsPort: number;
  /** The self-signed certificate (PEM file) the HTTPS server presents, for both checkers to trust. */
  caFile: string;
  certDays: number;
  close(): Promise<void>;
}

/**
 * On 127.0.0.1 only: a DNS server answering `host` with 127.0.0.1 after `dnsMs`, and an HTTPS server
 * with a fresh self-signed certificate for `host` that holds the handshake `tlsMs` (by answering SNI
 * late) and the response `httpMs`.
 */
export async function startLocalEndpoints({ host, certDays, delays }: { host: string; certDays: number; delays: InducedDelays }): Promise<LocalEndpoints> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'health-compare-'));
  const keyFile = path.join(dir, 'key.pem');
  const caFile = path.join(dir, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(certDays),
    '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`, '-keyout', keyFile, '-out', caFile,
  ]);
  const certificate = { key: await fs.readFile(keyFile, 'utf8'), cert: await fs.readFile(caFile, 'utf8') };

  const dns = createServer({
    udp: true,
    handle(request, send) {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      if (!question) return;
      if (question.name.toLowerCase() !== host) response.header.rcode = 3;
      else if (question.type === Packet.TYPE.A) {
        response.answers.push({ name: question.name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 60, address: '127.0.0.1' });
      }
      setTimeout(() => send(response), delays.dnsMs);
    },
  });
  const { udp } = await dns.listen({ udp: { port: 0, address: '127.0.0.1' } });
  if (!udp) throw new Error('local DNS server: no UDP address');

  const context = tls.createSecureContext(certificate);
  const server = https.createServer(
    { ...certificate, SNICallback: (_name, done) => setTimeout(() => done(null, context), delays.tlsMs) },
    (_req, res) => setTimeout(() => res.end('ok\n'), delays.httpMs),
  );
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    host,
    dnsServer: `127.0.0.1:${udp.port}`,
    httpsPort: (server.address() as net.AddressInfo).port,
    caFile,
    certDays,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dns.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
