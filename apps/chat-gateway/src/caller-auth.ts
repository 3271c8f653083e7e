import { randomUUID } from 'node:crypto';
import { AuthError, createSessionTokens, createTokenVerifier, ensureLocalIssuerKeys, mintLocalToken } from '@manga-assist/auth';
import type { AuthSettings } from '@manga-assist/auth';

/** Who is calling, as the gateway knows it after checking their token. */
export interface Caller {
  userId: string;
  /** AUTH_MODE=anonymous: the one session the token opens. */
  sessionId?: string;
  /** When the token stops being valid (ms since the epoch); a socket is closed then. */
  expiresAt: number;
  /** AUTH_MODE=anonymous: a token just issued for a new session, to hand back to the client. */
  sessionToken?: string;
  /** The token names an operator (AUTH_ADMIN_GROUP in AUTH_ADMIN_CLAIMS): what the control token opens, this opens too. */
  admin?: boolean;
}

export interface CallerAuth {
  /**
   * The caller behind `token`, for the session it asks for (if any). jwt/local: a verified bearer
   * JWT is required. anonymous: no token starts a new session with a signed token; a session id
   * without its token is refused.
   */
  authenticate(token: string | undefined, requestedSessionId?: string): Promise<Caller>;
  /** AUTH_MODE=local only: a token from the local issuer for the user id typed in. */
  localToken?(userId: string): Promise<{ token: string; expiresAt: number }>;
}

const LOCAL_TOKEN_TTL_S = 12 * 3600;

export interface CallerAuthDeps {
  /** The user a stored session belongs to (undefined: no such session, or none yet); throws when it cannot be read. */
  sessionOwner(sessionId: string): Promise<string | undefined>;
}

export function createCallerAuth(config: AuthSettings, deps: CallerAuthDeps): CallerAuth {
  const identify = createIdentify(config);
  return {
    localToken: identify.localToken,
    async authenticate(token, requestedSessionId) {
      const caller = await identify.authenticate(token, requestedSessionId);
      const sessionId = caller.sessionId ?? requestedSessionId;
      // A session is read and written by its owner only: another user's session id opens nothing.
      if (sessionId !== undefined && caller.sessionToken === undefined) {
        let owner: string | undefined;
        try {
          owner = await deps.sessionOwner(sessionId);
        } catch {
          throw new AuthError('unavailable', 'the session cannot be checked right now; try again, or start a new session');
        }
        if (owner !== undefined && owner !== caller.userId) throw new AuthError('forbidden', 'this session belongs to another user');
      }
      return caller;
    },
  };
}

function createIdentify(config: AuthSettings): CallerAuth {
  if (config.AUTH_MODE === 'anonymous') {
    const tokens = createSessionTokens({ secret: config.AUTH_SESSION_SECRET!, ttlSeconds: config.AUTH_SESSION_TOKEN_TTL_S });
    return {
      async authenticate(token, requestedSessionId) {
        if (token === undefined) {
          if (requestedSessionId !== undefined) throw new AuthError('unauthorized', 'a session id alone does not open a session: send the session token it came with');
          const sessionId = randomUUID();
          const issued = tokens.issue(sessionId);
          return { userId: `anonymous:${sessionId}`, sessionId, expiresAt: issued.expiresAt, sessionToken: issued.token };
        }
        const { sessionId, expiresAt } = tokens.verify(token);
        if (requestedSessionId !== undefined && requestedSessionId !== sessionId) throw new AuthError('forbidden', 'the session token is for another session');
        return { userId: `anonymous:${sessionId}`, sessionId, expiresAt };
      },
    };
  }
  const verifier = createTokenVerifier(config);
  return {
    async authenticate(token) {
      if (token === undefined) throw new AuthError('unauthorized', 'a bearer token is required (Authorization: Bearer <token>)');
      return verifier.verify(token);
    },
    localToken:
      config.AUTH_MODE === 'local'
        ? async (userId) => {
            const token = await mintLocalToken(await ensureLocalIssuerKeys(config.AUTH_LOCAL_KEY_DIR), userId, { ttlSeconds: LOCAL_TOKEN_TTL_S });
            return { token, expiresAt: Date.now() + LOCAL_TOKEN_TTL_S * 1000 };
          }
        : undefined,
  };
}
