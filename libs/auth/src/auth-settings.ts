import { z } from 'zod';
import { httpUrl, positiveInt } from '@manga-assist/config';

/** Signature algorithms a JWKS may use. Never `none`, never a shared-secret HS*: a JWKS holds public keys. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const algorithmList = z
  .string()
  .default('RS256,ES256')
  .transform((value, ctx) => {
    const list = value.split(',').map((a) => a.trim()).filter(Boolean);
    const bad = list.filter((a) => !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(a));
    if (list.length === 0 || bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of ${ASYMMETRIC_ALGORITHMS.join(', ')}${bad.length ? ` (not allowed: ${bad.join(', ')})` : ''}` });
      return z.NEVER;
    }
    return list;
  });

/** How the gateway knows who is calling (AUTH_*). */
export const authShape = {
  /** jwt: an OIDC/Cognito issuer's JWKS; local: the local issuer's keys under AUTH_LOCAL_KEY_DIR; anonymous: HMAC-signed session tokens. */
  AUTH_MODE: z.enum(['jwt', 'local', 'anonymous']).default('local'),
  AUTH_JWKS_URL: httpUrl().optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  /** Cognito access tokens carry the app client in `client_id`, not `aud`. */
  AUTH_AUDIENCE_CLAIM: z.enum(['aud', 'client_id']).default('aud'),
  AUTH_ALGORITHMS: algorithmList,
  /** The claim holding the user id: `sub`, or `username` / `cognito:username` for Cognito. */
  AUTH_USER_CLAIM: z.string().min(1).default('sub'),
  AUTH_LOCAL_KEY_DIR: z.string().min(1).default('.data/auth'),
  /** Signs anonymous session tokens; required with AUTH_MODE=anonymous. */
  AUTH_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  AUTH_SESSION_TOKEN_TTL_S: positiveInt(86_400),
  NODE_ENV: z.string().optional(),
  /** Claims listing the caller's groups (Cognito: `cognito:groups`; most OIDC issuers: `groups`), comma-separated. */
  AUTH_ADMIN_CLAIMS: z
    .string()
    .default('groups,cognito:groups')
    .transform((value) => value.split(',').map((c) => c.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[\w.:/-]{1,128}$/, 'must be a comma-separated list of claim names')).min(1, 'must name at least one claim')),
  /** The group (in one of AUTH_ADMIN_CLAIMS) whose members may do what the control token allows: the ops page, ops status, control calls. */
  AUTH_ADMIN_GROUP: z.string().regex(/^[\w.:/-]{1,128}$/, 'must be a group name (letters, digits and _ . : / -)').default('admin'),
};

export type AuthSettings = z.output<z.ZodObject<typeof authShape>>;

/** Production: NODE_ENV=production, or real AWS services (LOCAL_STACK=false). */
export function isProduction(config: { NODE_ENV?: string; LOCAL_STACK?: boolean }): boolean {
  return config.NODE_ENV === 'production' || config.LOCAL_STACK === false;
}

/** Cross-field rules, for a schema's superRefine: each failure names its variable. */
export function checkAuthSettings(config: AuthSettings & { LOCAL_STACK?: boolean }, ctx: z.RefinementCtx): void {
  const need = (name: keyof AuthSettings, why: string) => {
    if (config[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: `is required ${why}` });
  };
  if (config.AUTH_MODE === 'jwt') {
    need('AUTH_JWKS_URL', 'with AUTH_MODE=jwt');
    need('AUTH_ISSUER', 'with AUTH_MODE=jwt');
    need('AUTH_AUDIENCE', 'with AUTH_MODE=jwt');
  }
  // Neither anonymous sessions nor a local issuer that signs for any user id typed in belong in production.
  if (config.AUTH_MODE !== 'jwt' && isProduction(config)) {
    ctx.addIssue({ code: 'custom', path: ['AUTH_MODE'], message: `${config.AUTH_MODE} is refused in production (NODE_ENV=production or LOCAL_STACK=false); use jwt` });
  }
  if (config.AUTH_MODE === 'anonymous') need('AUTH_SESSION_SECRET', 'with AUTH_MODE=anonymous');
}
