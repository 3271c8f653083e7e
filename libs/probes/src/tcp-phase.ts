import net from 'node:net';
import { PhaseError, elapsedSince, errorCode } from './phase-error';

/** Opens a TCP connection to an address (no lookup) and times the handshake. */
export function connectTcp({ address, port, timeoutMs }: { address: string; port: number; timeoutMs: number }): Promise<{ socket: net.Socket; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ host: address, port });
    const fail = (error: PhaseError) => {
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new PhaseError(`TCP connect to ${address}:${port} timed out after ${timeoutMs} ms`, 'ETIMEOUT', elapsedSince(started))),
      timeoutMs,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      const ms = elapsedSince(started);
      socket.removeAllListeners('error');
      resolve({ socket, ms });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      const code = errorCode(error);
      fail(new PhaseError(`TCP connect to ${address}:${port} failed: ${code}`, code, elapsedSince(started)));
    });
  });
}
