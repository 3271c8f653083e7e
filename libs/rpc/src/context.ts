import { createHash, timingSafeEqual } from 'node:crypto';
import type { RpcContext } from './trpc';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Reads `Authorization: Bearer <token>` from the request. */
export function createContextFactory(controlToken: string) {
  return ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }): RpcContext => {
    const header = req.headers['authorization'];
    const value = Array.isArray(header) ? header[0] : header;
    const presented = value?.startsWith('Bearer ') ? value.slice('Bearer '.length) : undefined;
    return { authorized: tokenMatches(presented, controlToken) };
  };
}
