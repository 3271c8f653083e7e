import { loadConfig } from '@manga-assist/config';
import { z } from 'zod';
import type { DeepPartial, DownstreamName, DownstreamSettings, DownstreamSettingsOverrides } from './downstream-settings';
import { DOWNSTREAM_NAMES } from './downstream-settings';

/** The variable prefix of each downstream: `SONNET_TIMEOUT_MS`, `VECTOR_SEARCH_BULKHEAD`, ... */
export const DOWNSTREAM_ENV_PREFIX = {
  sonnet: 'SONNET',
  haiku: 'HAIKU',
  'vector-search': 'VECTOR_SEARCH',
  dynamodb: 'DYNAMODB',
  redis: 'REDIS',
} as const satisfies Record<DownstreamName, string>;

type Prefix = (typeof DOWNSTREAM_ENV_PREFIX)[DownstreamName];

/** An integer variable with no default: unset leaves the library default in place. */
function optionalInt(min: 0 | 1) {
  const message = min === 1 ? 'must be a positive integer' : 'must be a non-negative integer';
  return z
    .string()
    .transform((value, ctx) => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return n;
    })
    .optional();
}

type Field = ReturnType<typeof optionalInt>;

/** Variable suffix → where its number goes in DownstreamSettings. */
const FIELDS = {
  TIMEOUT_MS: { min: 1, set: (s, n) => (s.timeoutMs = n) },
  /** Retries after the first attempt (0 = never retry): `retry.maxAttempts` is this plus one. */
  RETRIES: { min: 0, set: (s, n) => ((s.retry ??= {}).maxAttempts = n + 1) },
  RETRY_DELAY_MS: { min: 1, set: (s, n) => ((s.retry ??= {}).initialDelayMs = n) },
  RETRY_MAX_DELAY_MS: { min: 1, set: (s, n) => ((s.retry ??= {}).maxDelayMs = n) },
  BREAKER_FAILURES: { min: 1, set: (s, n) => ((s.breaker ??= {}).failures = n) },
  BREAKER_WINDOW_MS: { min: 1, set: (s, n) => ((s.breaker ??= {}).windowMs = n) },
  BREAKER_COOLDOWN_MS: { min: 1, set: (s, n) => ((s.breaker ??= {}).cooldownMs = n) },
  BREAKER_SUCCESSES: { min: 1, set: (s, n) => ((s.breaker ??= {}).successesToClose = n) },
  BULKHEAD: { min: 1, set: (s, n) => ((s.bulkhead ??= {}).limit = n) },
  BULKHEAD_QUEUE: { min: 0, set: (s, n) => ((s.bulkhead ??= {}).queue = n) },
} as const satisfies Record<string, { min: 0 | 1; set: (s: DeepPartial<DownstreamSettings>, n: number) => void }>;

type Suffix = keyof typeof FIELDS;
export type DownstreamEnvVariable = `${Prefix}_${Suffix}`;

/** Every variable name, in a stable order (per downstream, then per field). */
export const DOWNSTREAM_ENV_VARIABLES: readonly DownstreamEnvVariable[] = Object.freeze(
  DOWNSTREAM_NAMES.flatMap((name) =>
    (Object.keys(FIELDS) as Suffix[]).map((suffix) => `${DOWNSTREAM_ENV_PREFIX[name]}_${suffix}` as const),
  ),
);

/** Shape to spread into an app's config object (`z.object({ ...appShape, ...downstreamEnvShape })`). */
export const downstreamEnvShape = Object.fromEntries(
  DOWNSTREAM_NAMES.flatMap((name) =>
    (Object.entries(FIELDS) as [Suffix, (typeof FIELDS)[Suffix]][]).map(([suffix, field]) => [
      `${DOWNSTREAM_ENV_PREFIX[name]}_${suffix}`,
      optionalInt(field.min),
    ]),
  ),
) as { [K in DownstreamEnvVariable]: Field };

/**
 * All resilience variables, each optional (the defaults live in DEFAULT_DOWNSTREAM_SETTINGS, so
 * that a queue left unset can follow its bulkhead limit). Use with `loadConfig`, or `.extend()` it.
 */
export const downstreamEnvSchema = z.object(downstreamEnvShape);

export type DownstreamEnvConfig = z.infer<typeof downstreamEnvSchema>;

/** The overrides a parsed config sets (only the variables that were set), per downstream. */
export function downstreamSettingsFromConfig(config: Partial<Record<DownstreamEnvVariable, number | undefined>>): DownstreamSettingsOverrides {
  const overrides: DownstreamSettingsOverrides = {};
  for (const name of DOWNSTREAM_NAMES) {
    const settings: DeepPartial<DownstreamSettings> = {};
    let any = false;
    for (const [suffix, field] of Object.entries(FIELDS) as [Suffix, (typeof FIELDS)[Suffix]][]) {
      const value = config[`${DOWNSTREAM_ENV_PREFIX[name]}_${suffix}`];
      if (value === undefined) continue;
      field.set(settings, value);
      any = true;
    }
    if (any) overrides[name] = settings;
  }
  return overrides;
}

/**
 * Reads the resilience variables from `env` (empty counts as unset). Throws the config library's
 * ConfigError, whose message names each bad variable and what was wrong.
 */
export function downstreamSettingsFromEnv(env: Record<string, string | undefined>): DownstreamSettingsOverrides {
  return downstreamSettingsFromConfig(loadConfig(downstreamEnvSchema, env));
}
