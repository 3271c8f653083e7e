import type { IncomingHttpHeaders } from 'node:http';
import { bearerFromHeaders } from '@manga-assist/auth';
import { tokenMatches } from '@manga-assist/rpc';
import type { CallerAuth } from './caller-auth';

/** Who may use the operations doors (ops status, the ops feed, control calls). */
export interface OperatorAccess {
  /** The control token (constant-time compare), or a valid user token carrying the admin claim. */
  isOperator(token: string | undefined): Promise<boolean>;
  /** The same, for a request's `Authorization: Bearer …`. */
  allows(headers: IncomingHttpHeaders): Promise<boolean>;
}

export function createOperatorAccess(controlToken: string, auth: Pick<CallerAuth, 'authenticate'>): OperatorAccess {
  const isOperator = async (token: string | undefined) => {
    if (token === undefined) return false;
    if (tokenMatches(token, controlToken)) return true;
    try {
      return (await auth.authenticate(token)).admin === true;
    } catch {
      // An invalid or expired token is no operator's; the caller answers 401 as for any other.
      return false;
    }
  };
  return { isOperator, allows: (headers) => isOperator(bearerFromHeaders(headers)) };
}
