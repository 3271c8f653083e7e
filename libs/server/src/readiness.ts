import type { DependencyCheck } from '@manga-assist/contracts';
import type { Logger } from '@manga-assist/telemetry';

/** One thing an app needs before it can serve: a connection, a warm cache, a loaded index. */
export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency is usable; rejects with an error an operator can act on. */
  check(): Promise<void>;
  /**
   * The app still answers without this dependency, in a degraded way (a cache it passes through,
   * a store it falls back from): while it fails the app stays ready and reports it as degraded,
   * so a load balancer does not take every instance out over a shared dependency.
   */
  degradable?: boolean;
}

export interface ReadinessOptions {
  checks: ReadinessCheck[];
  logger: Logger;
  /** How often checks run in the background; /readyz answers from the latest results. */
  intervalMs?: number;
  /** A check slower than this counts as failed. */
  timeoutMs?: number;
}

export interface Readiness {
  /** Runs every check now and records the results. */
  refresh(): Promise<DependencyCheck[]>;
  results(): DependencyCheck[];
  isReady(): boolean;
  /** First failing check that makes the app unready, as "name: detail", or null when ready. */
  reason(): string | null;
  /** Degradable dependencies failing now, as "name: detail". */
  degraded(): string[];
  start(): void;
  stop(): void;
  /** Not ready from now on, whatever the checks say ("draining"): a load balancer moves traffic away before shutdown. */
  markDraining(): void;
}

// Kept as a plain race: with cockatiel's timeout here (withDeadline), the post-processor's
// kill-recovery test failed (analytics jobs lost their 3 s locks after the restart; cause not yet
// found), while with this it passes.
function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs readiness checks in the background so that /readyz is cheap and always current, and logs
 * each transition once (a dependency lost, a dependency back) instead of on every probe.
 */
export function createReadiness({ checks, logger, intervalMs = 1000, timeoutMs = 2000 }: ReadinessOptions): Readiness {
  const latest = new Map<string, DependencyCheck>(
    checks.map((c) => [c.name, { name: c.name, ok: false, latencyMs: null, detail: 'not checked yet', checkedAt: null }]),
  );
  const degradable = new Set(checks.filter((c) => c.degradable).map((c) => c.name));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<DependencyCheck[]> | undefined;
  let draining = false;

  async function runOne(c: ReadinessCheck): Promise<DependencyCheck> {
    const started = performance.now();
    let ok = true;
    let detail: string | null = null;
    try {
      await withTimeout(c.check(), timeoutMs);
    } catch (error) {
      ok = false;
      detail = error instanceof Error ? error.message : String(error);
    }
    const result: DependencyCheck = {
      name: c.name,
      ok,
      latencyMs: Math.round((performance.now() - started) * 100) / 100,
      detail,
      checkedAt: new Date().toISOString(),
    };
    const previous = latest.get(c.name);
    if (previous && previous.ok !== ok && previous.checkedAt !== null) {
      if (ok) logger.info({ dependency: c.name }, `${c.name} is available again`);
      else logger.warn({ dependency: c.name, detail }, `${c.name} is unavailable: ${detail}`);
    } else if (previous?.checkedAt === null && !ok) {
      // Connections are usually still opening at the first check: worth a line, not a warning.
      logger.info({ dependency: c.name, detail }, `waiting for ${c.name}: ${detail}`);
    }
    latest.set(c.name, result);
    return result;
  }

  const readiness: Readiness = {
    refresh() {
      running ??= Promise.all(checks.map(runOne)).finally(() => {
        running = undefined;
      });
      return running;
    },
    results: () => [...latest.values()],
    isReady: () => !draining && [...latest.values()].every((c) => c.ok || degradable.has(c.name)),
    reason() {
      if (draining) return 'draining: shutting down';
      const failing = [...latest.values()].find((c) => !c.ok && !degradable.has(c.name));
      return failing ? `${failing.name}: ${failing.detail ?? 'failing'}` : null;
    },
    degraded: () => [...latest.values()].filter((c) => !c.ok && degradable.has(c.name)).map((c) => `${c.name}: ${c.detail ?? 'failing'}`),
    start() {
      if (timer) return;
      void readiness.refresh();
      timer = setInterval(() => void readiness.refresh(), intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    markDraining() {
      draining = true;
    },
  };
  return readiness;
}
