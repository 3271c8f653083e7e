import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthError } from './auth-error';

/**
 * Anonymous mode: the server hands out `v1.<sessionId>.<expiry s>.<HMAC-SHA256>` with each new
 * session; only its holder can reopen the session (a bare sessionId is never enough).
 */
export interface SessionTokens {
  issue(sessionId: string): { token: string; expiresAt: number };
  /** The session the token opens, and when it expires; throws AuthError otherwise. */
  verify(token: string): { sessionId: string; expiresAt: number };
}

const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function createSessionTokens({ secret, ttlSeconds }: { secret: string; ttlSeconds: number }): SessionTokens {
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest('base64url');
  return {
    issue(sessionId) {
      if (!SESSION_ID.test(sessionId)) throw new Error(`not a session id: ${sessionId}`);
      const expiry = Math.floor(Date.now() / 1000) + ttlSeconds;
      const body = `v1.${sessionId}.${expiry}`;
      return { token: `${body}.${sign(body)}`, expiresAt: expiry * 1000 };
    },
    verify(token) {
      const parts = token.length <= 512 ? token.split('.') : [];
      const [version, sessionId, expiry, mac] = parts;
      if (parts.length !== 4 || version !== 'v1' || !SESSION_ID.test(sessionId!) || !/^\d{1,12}$/.test(expiry!)) {
        throw new AuthError('unauthorized', 'not a session token');
      }
      const expected = Buffer.from(sign(`v1.${sessionId}.${expiry}`));
      const given = Buffer.from(mac!);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AuthError('unauthorized', 'the session token is not signed by this server');
      const expiresAt = Number(expiry) * 1000;
      if (expiresAt <= Date.now()) throw new AuthError('token_expired', 'the session token has expired');
      return { sessionId: sessionId!, expiresAt };
    },
  };
}
