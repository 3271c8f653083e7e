import type { DownstreamName } from './downstream-settings';

export type UnavailableReason = 'breaker-open' | 'bulkhead-full' | 'timeout';

const WHY: Record<UnavailableReason, string> = {
  'breaker-open': 'circuit breaker open',
  'bulkhead-full': 'bulkhead and its queue full',
  timeout: 'timed out',
};

/** The call did not get an answer from the downstream in time, or was not attempted: use the fallback. */
export class DownstreamUnavailableError extends Error {
  readonly code = 'downstream_unavailable' as const;
  override readonly name = 'DownstreamUnavailableError';

  constructor(
    readonly downstream: DownstreamName,
    readonly reason: UnavailableReason,
    options?: { cause?: unknown },
  ) {
    super(`${downstream} unavailable: ${WHY[reason]}`, options);
  }
}

export function isDownstreamUnavailable(error: unknown, reason?: UnavailableReason): error is DownstreamUnavailableError {
  return error instanceof DownstreamUnavailableError && (reason === undefined || error.reason === reason);
}
