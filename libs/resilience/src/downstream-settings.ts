export type DownstreamName = 'sonnet' | 'haiku' | 'vector-search' | 'dynamodb' | 'redis';

export const DOWNSTREAM_NAMES: readonly DownstreamName[] = Object.freeze(['sonnet', 'haiku', 'vector-search', 'dynamodb', 'redis']);

export interface DownstreamSettings {
  /** Budget of one `execute` call: bulkhead queue wait, every attempt and the backoff between them. */
  timeoutMs: number;
  /**
   * Used only for calls marked idempotent. `maxAttempts` counts the first attempt (1 = no retry);
   * delays grow exponentially from `initialDelayMs`, capped at `maxDelayMs`, each one jittered.
   */
  retry: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number };
  /**
   * Opens after `failures` failed attempts within `windowMs`; rejects at once for `cooldownMs`; then
   * lets one trial call through at a time and closes after `successesToClose` successful trials
   * (a failure meanwhile opens it again).
   */
  breaker: { failures: number; windowMs: number; cooldownMs: number; successesToClose: number };
  /** At most `limit` calls run at once; up to `queue` more wait for a slot; beyond that, rejected at once. */
  bulkhead: { limit: number; queue: number };
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export type DownstreamSettingsOverrides = Partial<Record<DownstreamName, DeepPartial<DownstreamSettings>>>;

const model = (queue: number): DownstreamSettings => ({
  timeoutMs: 30_000,
  retry: { maxAttempts: 3, initialDelayMs: 250, maxDelayMs: 2_000 },
  breaker: { failures: 5, windowMs: 30_000, cooldownMs: 15_000, successesToClose: 3 },
  bulkhead: { limit: 40, queue },
});

/**
 * Breaker and bulkhead numbers and timeouts from the latency reference (read timeouts: model 30 s,
 * search 5 s, DynamoDB 3 s, Redis 2 s; attempts as its client retry settings). Retry delays are
 * this library's choice: short enough to fit inside each timeout. Wait queues are too: a slot of a
 * millisecond-long call (Redis, DynamoDB, search) frees fast, so a burst may queue deep behind it
 * (the timeout still bounds every wait), while Haiku's deep queue absorbs what a full Sonnet
 * bulkhead sends it.
 */
export const DEFAULT_DOWNSTREAM_SETTINGS: Readonly<Record<DownstreamName, Readonly<DownstreamSettings>>> = deepFreeze({
  sonnet: model(40),
  haiku: model(200),
  'vector-search': {
    timeoutMs: 5_000,
    retry: { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 1_000 },
    breaker: { failures: 3, windowMs: 20_000, cooldownMs: 10_000, successesToClose: 2 },
    bulkhead: { limit: 25, queue: 250 },
  },
  dynamodb: {
    timeoutMs: 3_000,
    retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 1_000 },
    breaker: { failures: 5, windowMs: 30_000, cooldownMs: 10_000, successesToClose: 3 },
    bulkhead: { limit: 20, queue: 200 },
  },
  redis: {
    timeoutMs: 2_000,
    retry: { maxAttempts: 3, initialDelayMs: 25, maxDelayMs: 250 },
    breaker: { failures: 3, windowMs: 10_000, cooldownMs: 5_000, successesToClose: 2 },
    bulkhead: { limit: 15, queue: 500 },
  },
});

export function isDownstreamName(name: string): name is DownstreamName {
  return (DOWNSTREAM_NAMES as readonly string[]).includes(name);
}

/**
 * The defaults for `name` with `overrides` on top, checked, so a bad number fails at start and not
 * under load. A bulkhead queue not given follows the bulkhead limit when that is given.
 */
export function resolveDownstreamSettings(
  name: DownstreamName,
  overrides: DeepPartial<DownstreamSettings> = {},
): DownstreamSettings {
  const d = DEFAULT_DOWNSTREAM_SETTINGS[name];
  const limit = overrides.bulkhead?.limit ?? d.bulkhead.limit;
  const settings: DownstreamSettings = {
    timeoutMs: overrides.timeoutMs ?? d.timeoutMs,
    retry: {
      maxAttempts: overrides.retry?.maxAttempts ?? d.retry.maxAttempts,
      initialDelayMs: overrides.retry?.initialDelayMs ?? d.retry.initialDelayMs,
      maxDelayMs: overrides.retry?.maxDelayMs ?? d.retry.maxDelayMs,
    },
    breaker: {
      failures: overrides.breaker?.failures ?? d.breaker.failures,
      windowMs: overrides.breaker?.windowMs ?? d.breaker.windowMs,
      cooldownMs: overrides.breaker?.cooldownMs ?? d.breaker.cooldownMs,
      successesToClose: overrides.breaker?.successesToClose ?? d.breaker.successesToClose,
    },
    bulkhead: {
      limit,
      queue: overrides.bulkhead?.queue ?? (overrides.bulkhead?.limit !== undefined ? limit : d.bulkhead.queue),
    },
  };
  const check = (key: string, value: number, min: 0 | 1) => {
    if (!Number.isSafeInteger(value) || value < min) {
      const kind = min === 1 ? 'a positive integer' : 'a non-negative integer';
      throw new Error(`Downstream "${name}": ${key} must be ${kind}, got ${String(value)}`);
    }
  };
  check('timeoutMs', settings.timeoutMs, 1);
  check('retry.maxAttempts', settings.retry.maxAttempts, 1);
  check('retry.initialDelayMs', settings.retry.initialDelayMs, 1);
  check('retry.maxDelayMs', settings.retry.maxDelayMs, 1);
  check('breaker.failures', settings.breaker.failures, 1);
  check('breaker.windowMs', settings.breaker.windowMs, 1);
  check('breaker.cooldownMs', settings.breaker.cooldownMs, 1);
  check('breaker.successesToClose', settings.breaker.successesToClose, 1);
  check('bulkhead.limit', settings.bulkhead.limit, 1);
  check('bulkhead.queue', settings.bulkhead.queue, 0);
  if (settings.retry.maxDelayMs < settings.retry.initialDelayMs) {
    throw new Error(
      `Downstream "${name}": retry.maxDelayMs (${settings.retry.maxDelayMs}) must not be below retry.initialDelayMs (${settings.retry.initialDelayMs})`,
    );
  }
  return settings;
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (v && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(value);
}
