import { Gauge } from '@manga-assist/telemetry';
import type { Logger, Registry } from '@manga-assist/telemetry';
import type { ReadinessCheck } from './readiness';

/** One connection or cache an app opens before it takes traffic (a model call, a PING, a GetItem). */
export interface WarmUpStep {
  name: string;
  run(): Promise<void>;
}

export interface WarmUpOptions {
  steps: WarmUpStep[];
  logger: Logger;
  registry: Registry;
  /** First retry delay of a failed step; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface WarmUp {
  /** Starts every step at once; failed steps are retried until they succeed or `stop()`. */
  start(): void;
  /** A readiness check that fails until every step has succeeded once, naming the ones left. */
  check: ReadinessCheck;
  /** Resolves when every step has succeeded. */
  done: Promise<void>;
  stop(): void;
}

/**
 * Warm-up before ready: the first request must not pay for opening pools, TLS sessions or a cold
 * model endpoint. The steps run in parallel; /readyz stays 503 ("warm-up: …") until all succeeded,
 * and the time each took (retries included) is logged and exported.
 */
export function createWarmUp({ steps, logger, registry, retryMs = 250, maxRetryMs = 5000 }: WarmUpOptions): WarmUp {
  const pending = new Map<string, string>(steps.map((s) => [s.name, 'not started']));
  const seconds = new Gauge({
    name: 'manga_assist_warmup_seconds',
    help: 'Time each warm-up step took until it succeeded (step="all": the whole warm-up).',
    labelNames: ['step'],
    registers: [registry],
  });
  let stopped = false;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const runStep = async (step: WarmUpStep, started: number): Promise<number> => {
    let delay = retryMs;
    for (;;) {
      try {
        await step.run();
        pending.delete(step.name);
        const ms = performance.now() - started;
        seconds.set({ step: step.name }, ms / 1000);
        return ms;
      } catch (error) {
        pending.set(step.name, error instanceof Error ? error.message : String(error));
        if (stopped) throw error;
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, maxRetryMs);
      }
    }
  };

  return {
    start() {
      const started = performance.now();
      void Promise.all(steps.map(async (step) => [step.name, Math.round(await runStep(step, started))] as const))
        .then((timings) => {
          const ms = performance.now() - started;
          seconds.set({ step: 'all' }, ms / 1000);
          logger.info({ ms: Math.round(ms), steps: Object.fromEntries(timings) }, `warm-up done in ${Math.round(ms)} ms`);
          resolveDone();
        })
        .catch(() => undefined);
    },
    check: {
      name: 'warm-up',
      async check() {
        if (pending.size === 0) return;
        throw new Error([...pending].map(([name, state]) => `${name} (${state})`).join(', '));
      },
    },
    done,
    stop() {
      stopped = true;
    },
  };
}
