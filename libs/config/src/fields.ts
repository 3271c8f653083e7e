import { z } from 'zod';

/** A TCP port given as an environment variable: an integer from 1 to 65535. */
export function port(defaultPort: number) {
  return z
    .string()
    .default(String(defaultPort))
    .transform((value, ctx) => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > 65535) {
        ctx.addIssue({ code: 'custom', message: 'must be a TCP port number from 1 to 65535' });
        return z.NEVER;
      }
      return n;
    });
}

/** A positive integer (milliseconds, counts, sizes). */
export function positiveInt(defaultValue: number) {
  return z
    .string()
    .default(String(defaultValue))
    .transform((value, ctx) => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || !Number.isSafeInteger(n)) {
        ctx.addIssue({ code: 'custom', message: 'must be a positive integer' });
        return z.NEVER;
      }
      return n;
    });
}

/** A whole number ≥ 0 (a delay that may be switched off with 0). */
export function nonNegativeInt(defaultValue: number) {
  return z
    .string()
    .default(String(defaultValue))
    .transform((value, ctx) => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
        ctx.addIssue({ code: 'custom', message: 'must be a whole number, 0 or more' });
        return z.NEVER;
      }
      return n;
    });
}

/** An http(s) URL. */
export function httpUrl(defaultUrl?: string) {
  const url = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
  return defaultUrl === undefined ? url : url.default(defaultUrl);
}

/** A redis:// or rediss:// URL. */
export function redisUrl() {
  return z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' });
}

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'must be one of fatal, error, warn, info, debug, trace, silent',
  })
  .default('info');

/** "true"/"false"/"1"/"0". */
export function flag(defaultValue: boolean) {
  return z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');
}

/**
 * The shared secret for control calls between apps. No default: locally `npm start` generates one;
 * in production it comes from a secret store.
 */
export const controlToken = z.string({ error: 'is required (the shared control token)' }).min(16, {
  message: 'must be at least 16 characters',
});
