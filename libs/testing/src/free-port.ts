import net from 'node:net';

/** A TCP port that was free a moment ago on `host`; the OS picks it, so parallel runs do not collide. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('freePort: no TCP address');
  return address.port;
}

/**
 * Resolves when `port` can be bound on `host`, rejects with an error naming the port otherwise.
 * Checked before an engine opens its store, so a taken port never leaves a half-open database behind.
 */
export async function assertPortFree(port: number, host: string, owner: string): Promise<void> {
  if (port === 0) return;
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${code ?? String(error)})`;
    throw new Error(`Port ${port} on ${host} for ${owner} ${why}`, { cause: error });
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
