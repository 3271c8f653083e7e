import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { AuthError } from './auth-error';
import type { AuthSettings } from './auth-settings';
import { LOCAL_ALGORITHM, LOCAL_AUDIENCE, LOCAL_ISSUER, ensureLocalIssuerKeys } from './local-issuer';

/** Who a verified token says the caller is. */
export interface Identity {
  userId: string;
  /** When the token stops being valid (ms since the epoch). */
  expiresAt: number;
  /** The token names the caller a member of AUTH_ADMIN_GROUP (in one of AUTH_ADMIN_CLAIMS): an operator. */
  admin: boolean;
}

export interface TokenVerifier {
  verify(token: string): Promise<Identity>;
}

/** Longer than any real ID or access token; anything bigger is refused before it is parsed. */
export const MAX_TOKEN_CHARS = 8192;
// The characters a session store key may hold (letters, digits, _ . : -): a user id that could not
// own a session is refused here, not when its first turn fails to be stored.
const USER_ID = /^[\w.:-]{1,128}$/;
// Seconds a token may be past its `exp` and still be taken (clocks differ a little).
const CLOCK_TOLERANCE_S = 5;
// A token verified once is taken again without a signature check for at most this long (and never
// past its expiry): a client sends the same bearer token with every request, and an RS256 or ES256
// verification is the most expensive step of a cached answer. Bounded by total token length.
const VERIFIED_FOR_MS = 5 * 60_000;
const VERIFIED_MAX_CHARS = 8 * 1024 * 1024;

/**
 * Verifies bearer JWTs: signature against the JWKS (an OIDC/Cognito issuer's, or the local
 * issuer's), issuer, audience, expiry, and an allowlist of asymmetric algorithms (so never `none`
 * and never a key-confusion HS256). The user id is read from the token only.
 */
export function createTokenVerifier(
  settings: Pick<AuthSettings, 'AUTH_MODE' | 'AUTH_JWKS_URL' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'AUTH_AUDIENCE_CLAIM' | 'AUTH_ALGORITHMS' | 'AUTH_USER_CLAIM' | 'AUTH_LOCAL_KEY_DIR'> & Partial<Pick<AuthSettings, 'AUTH_ADMIN_CLAIMS' | 'AUTH_ADMIN_GROUP'>>,
  { now = Date.now }: { now?: () => number } = {},
): TokenVerifier {
  const local = settings.AUTH_MODE === 'local';
  const issuer = local ? LOCAL_ISSUER : settings.AUTH_ISSUER!;
  const audience = local ? LOCAL_AUDIENCE : settings.AUTH_AUDIENCE!;
  const audienceClaim = local ? 'aud' : settings.AUTH_AUDIENCE_CLAIM;
  const algorithms = local ? [LOCAL_ALGORITHM] : settings.AUTH_ALGORITHMS;
  const userClaim = local ? 'sub' : settings.AUTH_USER_CLAIM;
  const adminClaims = settings.AUTH_ADMIN_CLAIMS ?? ['groups', 'cognito:groups'];
  const adminGroup = settings.AUTH_ADMIN_GROUP ?? 'admin';
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = () =>
    (keys ??= local
      ? ensureLocalIssuerKeys(settings.AUTH_LOCAL_KEY_DIR).then(({ publicJwk }) => createLocalJWKSet({ keys: [publicJwk] }))
      : Promise.resolve(createRemoteJWKSet(new URL(settings.AUTH_JWKS_URL!), { timeoutDuration: 3000, cooldownDuration: 30_000 })));

  // Only tokens that passed every check are kept; a refused one is checked again each time.
  const verified = new LRUCache<string, Identity & { until: number }>({ maxSize: VERIFIED_MAX_CHARS, sizeCalculation: (_value, token) => token.length });

  return {
    async verify(token) {
      if (token.length > MAX_TOKEN_CHARS) throw new AuthError('unauthorized', `the token is longer than ${MAX_TOKEN_CHARS} characters`);
      const known = verified.get(token);
      if (known) {
        if (now() < known.until) return { userId: known.userId, expiresAt: known.expiresAt, admin: known.admin };
        verified.delete(token);
        if (now() >= known.expiresAt + CLOCK_TOLERANCE_S * 1000) throw new AuthError('token_expired', 'the token has expired');
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, await keySet(), {
          issuer,
          audience: audienceClaim === 'aud' ? audience : undefined,
          algorithms,
          requiredClaims: ['exp'],
          clockTolerance: CLOCK_TOLERANCE_S,
          currentDate: new Date(now()),
        }));
      } catch (error) {
        throw authErrorFrom(error);
      }
      if (audienceClaim === 'client_id' && payload['client_id'] !== audience) throw new AuthError('unauthorized', 'the token is for another client (client_id)');
      const userId = payload[userClaim];
      if (typeof userId !== 'string' || !USER_ID.test(userId)) {
        throw new AuthError('unauthorized', `the token's ${userClaim} claim is not a user id (1-128 letters, digits, _ . : -)`);
      }
      const identity = { userId, expiresAt: payload.exp! * 1000, admin: adminClaims.some((claim) => inGroup(payload[claim], adminGroup)) };
      verified.set(token, { ...identity, until: Math.min(now() + VERIFIED_FOR_MS, identity.expiresAt + CLOCK_TOLERANCE_S * 1000) });
      return identity;
    },
  };
}

/** A groups claim: an array of names (Cognito, most issuers) or one name. */
function inGroup(claim: unknown, group: string): boolean {
  return Array.isArray(claim) ? claim.includes(group) : claim === group;
}

function authErrorFrom(error: unknown): AuthError {
  if (error instanceof errors.JWTExpired) return new AuthError('token_expired', 'the token has expired');
  // The issuer's keys could not be fetched: the caller is not at fault, so not a 401.
  if (error instanceof errors.JWKSTimeout || (error instanceof TypeError && /fetch/i.test(error.message))) {
    return new AuthError('unavailable', 'the token issuer cannot be reached; please try again');
  }
  if (error instanceof errors.JOSEError) return new AuthError('unauthorized', `the token is not valid (${error.code})`);
  return new AuthError('unavailable', 'the token could not be checked; please try again');
}
