/** Placeholder credentials for a local engine or stand-in, which accepts any signature. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The one rule for stand-in credentials: an endpoint gets LOCAL_CREDENTIALS only with
 * LOCAL_STACK=true and never when it is an AWS host (`*.amazonaws.com`, VPC endpoint names
 * included), whatever LOCAL_STACK says. Every other call signs with the SDK's default chain.
 */
export function isLocalStandIn(localStack: boolean, endpoint: string | undefined): boolean {
  return localStack && endpoint !== undefined && !/\.amazonaws\.com(\.cn)?$/.test(new URL(endpoint).hostname);
}
