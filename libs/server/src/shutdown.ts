import { withDeadline } from '@manga-assist/resilience';
import type { Logger } from '@manga-assist/telemetry';

export interface ShutdownStep {
  name: string;
  run(): Promise<unknown> | unknown;
}

/**
 * On SIGTERM or SIGINT, runs the steps in order (stop accepting, drain, close workers, queues,
 * then connections), each at most `stepTimeoutMs`, then exits. A second signal exits at once.
 */
export function installShutdown(logger: Logger, steps: ShutdownStep[], { stepTimeoutMs = 10_000 } = {}) {
  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    let failed = false;
    for (const step of steps) {
      try {
        await withDeadline(
          stepTimeoutMs,
          async () => step.run(),
          () => new Error(`took longer than ${stepTimeoutMs} ms`),
        );
      } catch (error) {
        failed = true;
        logger.error({ step: step.name, err: error }, `shutdown step ${step.name} failed`);
      }
    }
    logger.info('stopped');
    // The log is written asynchronously: exiting before it is flushed would lose these last lines.
    await withDeadline(1000, () => new Promise<void>((resolve) => logger.flush(() => resolve())), () => new Error('log flush')).catch(() => undefined);
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}
