/** Why a caller was turned away; each maps to one HTTP status and one wire error code. */
export type AuthFailure = 'unauthorized' | 'token_expired' | 'forbidden' | 'unavailable';

const STATUS: Record<AuthFailure, number> = { unauthorized: 401, token_expired: 401, forbidden: 403, unavailable: 503 };

export class AuthError extends Error {
  readonly status: number;
  constructor(
    readonly code: AuthFailure,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
    this.status = STATUS[code];
  }
}
