import net from 'node:net';
import tls from 'node:tls';
import { PhaseError, elapsedSince, errorCode } from './phase-error';

export interface TlsHandshake {
  socket: tls.TLSSocket;
  ms: number;
  protocol: string | null;
  serverName: string | null;
  /** The chain is trusted and matches the server name. */
  authorized: boolean;
  authorizationError: string | null;
  certSubject: string | null;
  certNotAfter: Date | null;
}

export interface TlsHandshakeOptions {
  socket: net.Socket;
  /** SNI and the name to verify; an IP address is never sent as SNI. */
  serverName: string;
  /** Trusted in addition to the system's CAs. */
  ca: string | null;
  timeoutMs: number;
}

// Building a context with extra CAs parses the whole root store (tens of ms): done once per CA,
// outside the timed handshake.
const contexts = new Map<string, tls.SecureContext>();
function contextFor(ca: string | null): tls.SecureContext | undefined {
  if (ca === null) return undefined;
  let context = contexts.get(ca);
  if (!context) {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ca] });
    contexts.set(ca, context);
  }
  return context;
}

/**
 * Runs the TLS handshake on a connected socket and times it. The certificate is read even when it is
 * not trusted (so an expired or self-signed one can still be reported); trust is judged afterwards.
 */
export function handshakeTls({ socket, serverName, ca, timeoutMs }: TlsHandshakeOptions): Promise<TlsHandshake> {
  return new Promise((resolve, reject) => {
    const secureContext = contextFor(ca);
    const started = performance.now();
    const sni = net.isIP(serverName) === 0 ? serverName : undefined;
    const secure = tls.connect({
      socket,
      servername: sni,
      rejectUnauthorized: false,
      secureContext,
      ALPNProtocols: ['http/1.1'],
      // Checked by hand below, against the name even when it is an IP address.
      checkServerIdentity: () => undefined,
    });
    const fail = (error: PhaseError) => {
      secure.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new PhaseError(`TLS handshake with ${serverName} timed out after ${timeoutMs} ms`, 'ETIMEOUT', elapsedSince(started))),
      timeoutMs,
    );
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      const ms = elapsedSince(started);
      secure.removeAllListeners('error');
      const cert = secure.getPeerCertificate();
      const hasCert = cert && Object.keys(cert).length > 0;
      let authorizationError = secure.authorizationError ? String(secure.authorizationError) : null;
      if (!authorizationError && hasCert) {
        const mismatch = tls.checkServerIdentity(serverName, cert);
        if (mismatch) authorizationError = (mismatch as NodeJS.ErrnoException).code ?? mismatch.message;
      }
      resolve({
        socket: secure,
        ms,
        protocol: secure.getProtocol() ?? null,
        serverName: sni ?? null,
        authorized: authorizationError === null && Boolean(hasCert),
        authorizationError,
        certSubject: hasCert ? ([cert.subject?.CN ?? []].flat()[0] ?? null) : null,
        certNotAfter: hasCert && cert.valid_to ? new Date(cert.valid_to) : null,
      });
    });
    secure.once('error', (error) => {
      clearTimeout(timer);
      const code = errorCode(error);
      fail(new PhaseError(`TLS handshake with ${serverName} failed: ${code}`, code, elapsedSince(started)));
    });
  });
}
