export type PoolName = 'model' | 'search' | 'dynamodb' | 'kinesis';

export interface PoolSettings {
  /** Sockets per origin (host:port): requests beyond it wait in the agent's queue. */
  maxSockets: number;
  /** How long an unused socket stays open for reuse before it is closed. */
  keepAliveMs: number;
  /** Time allowed for DNS, TCP and (for https) TLS before a new socket fails with ETIMEDOUT. */
  connectTimeoutMs: number;
  /**
   * Longest a socket carrying a request may stay silent before that request fails (a read
   * timeout). Applied by `awsRequestHandler`; other clients can read it from `pool.settings`.
   * Unset: no limit beyond the caller's own timeouts.
   */
  idleTimeoutMs?: number;
}

/**
 * Per-task sizes and timeouts from the latency reference (Kinesis picked here): each pool matches
 * the concurrency one task expects towards that downstream, and the model pool's idle keep-alive
 * matches Bedrock's own idle timeout. See README.md for the reasoning.
 */
export const DEFAULT_POOL_SETTINGS: Readonly<Record<PoolName, Readonly<PoolSettings>>> = Object.freeze({
  model: Object.freeze({ maxSockets: 10, keepAliveMs: 60_000, connectTimeoutMs: 2_000, idleTimeoutMs: 30_000 }),
  search: Object.freeze({ maxSockets: 20, keepAliveMs: 120_000, connectTimeoutMs: 2_000, idleTimeoutMs: 5_000 }),
  dynamodb: Object.freeze({ maxSockets: 25, keepAliveMs: 300_000, connectTimeoutMs: 1_000, idleTimeoutMs: 3_000 }),
  kinesis: Object.freeze({ maxSockets: 10, keepAliveMs: 300_000, connectTimeoutMs: 1_000, idleTimeoutMs: 5_000 }),
});

function isPoolName(name: string): name is PoolName {
  return Object.prototype.hasOwnProperty.call(DEFAULT_POOL_SETTINGS, name);
}

/** The defaults for `name` with `overrides` on top, checked: a bad size fails here, not under load. */
export function resolvePoolSettings(name: string, overrides: Partial<PoolSettings> = {}): PoolSettings {
  if (name === '') throw new Error('Pool name must not be empty');
  const defaults: Partial<PoolSettings> = isPoolName(name) ? DEFAULT_POOL_SETTINGS[name] : {};
  const merged = { ...defaults, ...withoutUndefined(overrides) };
  const missing = (['maxSockets', 'keepAliveMs', 'connectTimeoutMs'] as const).filter((key) => merged[key] === undefined);
  if (missing.length > 0) {
    throw new Error(`Pool "${name}" has no defaults; settings must give ${missing.join(', ')}`);
  }
  const settings = merged as PoolSettings;
  requirePositiveInteger(name, 'maxSockets', settings.maxSockets);
  requirePositiveInteger(name, 'keepAliveMs', settings.keepAliveMs);
  requirePositiveInteger(name, 'connectTimeoutMs', settings.connectTimeoutMs);
  if (settings.idleTimeoutMs !== undefined) requirePositiveInteger(name, 'idleTimeoutMs', settings.idleTimeoutMs);
  return settings;
}

function requirePositiveInteger(pool: string, key: keyof PoolSettings, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`Pool "${pool}": ${key} must be a positive integer, got ${String(value)}`);
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
