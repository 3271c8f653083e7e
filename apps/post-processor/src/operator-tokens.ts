import { createTokenVerifier, isProduction } from '@manga-assist/auth';
import type { AuthSettings } from '@manga-assist/auth';

/**
 * Whether a bearer token is an operator's: a user token verified as the gateway verifies it, whose
 * groups claim names AUTH_ADMIN_GROUP. Only where tokens can be verified: with AUTH_MODE=jwt, or
 * the local issuer outside production; otherwise (anonymous sessions carry no groups) undefined,
 * and the control token alone opens the queue controls.
 */
export function createOperatorCheck(config: AuthSettings & { LOCAL_STACK?: boolean }): ((token: string) => Promise<boolean>) | undefined {
  if (config.AUTH_MODE === 'anonymous' || (config.AUTH_MODE === 'local' && isProduction(config))) return undefined;
  const verifier = createTokenVerifier(config);
  return async (token) => {
    try {
      return (await verifier.verify(token)).admin;
    } catch {
      return false;
    }
  };
}
