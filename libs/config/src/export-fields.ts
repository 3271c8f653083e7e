import { z } from 'zod';
import { httpUrl, positiveInt } from './fields';

/** Where `npm start` runs its S3-compatible stand-in (s3rver), and the bucket it creates. */
export const LOCAL_S3_ENDPOINT = 'http://127.0.0.1:4569';
export const LOCAL_EXPORT_BUCKET = 'manga-assist-exports';

/** S3's longest pre-signed URL (SigV4 query signing): 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * Large results written to S3 and handed out as pre-signed GET URLs (catalog exports). With
 * LOCAL_STACK=true the endpoint defaults to the s3rver `npm start` runs; in AWS the bucket comes
 * from the stack and the SDK's regional endpoint is used.
 */
export const exportShape = {
  /** The bucket exports are written to (the stack's exports bucket in AWS). */
  EXPORT_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 lowercase letters, digits, . and -)')
    .default(LOCAL_EXPORT_BUCKET),
  /** An S3-compatible endpoint (s3rver locally); unset with LOCAL_STACK=false: AWS's own. */
  S3_ENDPOINT: httpUrl().optional(),
  /** How long a pre-signed download URL stays valid, in seconds (15 minutes; at most 7 days). */
  EXPORT_URL_TTL_S: positiveInt(900).refine((n) => n <= MAX_PRESIGN_SECONDS, `must be at most ${MAX_PRESIGN_SECONDS} (7 days, S3's limit)`),
};

/** The S3 endpoint to use: S3_ENDPOINT, else the local stand-in with LOCAL_STACK, else AWS's. */
export function resolveS3Endpoint(config: { LOCAL_STACK: boolean; S3_ENDPOINT?: string }): string | undefined {
  return config.S3_ENDPOINT ?? (config.LOCAL_STACK ? LOCAL_S3_ENDPOINT : undefined);
}
