import { withDeadline } from '@manga-assist/resilience';

/** A probe phase that failed, with how long it ran and a code an operator can look up. */
export class PhaseError extends Error {
  readonly code: string;
  readonly ms: number;

  constructor(message: string, code: string, ms: number) {
    super(message);
    this.name = 'PhaseError';
    this.code = code;
    this.ms = ms;
  }
}

export const elapsedSince = (started: number) => Math.round((performance.now() - started) * 100) / 100;

export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/** Runs `work` with a deadline; failures become PhaseErrors carrying the time spent. */
export async function timed<T>(what: string, timeoutMs: number, work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  try {
    const value = await withDeadline(
      timeoutMs,
      work,
      () => new PhaseError(`${what} timed out after ${timeoutMs} ms`, 'ETIMEOUT', elapsedSince(started)),
    );
    return { value, ms: elapsedSince(started) };
  } catch (error) {
    if (error instanceof PhaseError) throw error;
    const code = errorCode(error);
    throw new PhaseError(`${what} failed: ${code}`, code, elapsedSince(started));
  }
}
