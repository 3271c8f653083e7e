import { createHash, timingSafeEqual } from 'node:crypto';
import type { RpcContext } from './trpc';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Reads `Authorization: Bearer <token>` from the request: the control token, or a token that
 * `isOperator` accepts (the gateway's: a verified JWT with the admin claim). A token that fails the
 * check is simply not authorized.
 */
export function createContextFactory(controlToken: string, isOperator?: (token: string) => Promise<boolean>) {
  return async ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }): Promise<RpcContext> => {
    const header = req.headers['authorization'];
    const value = Array.isArray(header) ? header[0] : header;
    const presented = value?.startsWith('Bearer ') ? value.slice('Bearer '.length) : undefined;
    if (tokenMatches(presented, controlToken)) return { authorized: true };
    const operator = presented !== undefined && isOperator !== undefined && (await isOperator(presented).catch(() => false));
    return { authorized: operator };
  };
}
