import type { Redis } from 'ioredis';
import { createTask } from 'node-cron';
import type { ScheduledTask } from 'node-cron';
import { Counter, Histogram } from '@manga-assist/telemetry';
import type { Logger, Registry } from '@manga-assist/telemetry';
import type { SchedulerTaskStatus } from '@manga-assist/contracts';
import type { RedisRunCoordinator } from './run-coordinator';
import type { TaskDeps } from './tasks/task-deps';
import { TASKS, TASK_NAMES } from './tasks/task-defaults';
import type { TaskName } from './tasks/task-defaults';

export interface TaskRunnerOptions {
  deps: TaskDeps;
  settings: Record<TaskName, { schedule: string; ttlSeconds: number }>;
  coordinator: RedisRunCoordinator;
  redis: Redis;
  keyPrefix: string;
  instanceId: string;
  logger: Logger;
  registry: Registry;
}

export interface TaskRunner {
  start(): void;
  /** Runs every task once now (one replica per task), so a fresh system is warm. */
  warmAll(): Promise<void>;
  /** Runs one task now, on this replica. */
  runNow(task: TaskName): Promise<SchedulerTaskStatus>;
  statuses(): SchedulerTaskStatus[];
  /** True once every task's first run finished here or was taken by another replica. */
  warmed(): boolean;
  stop(): Promise<void>;
}

export function createTaskRunner(options: TaskRunnerOptions): TaskRunner {
  const { deps, settings, coordinator, redis, keyPrefix, instanceId, logger, registry } = options;
  const runs = new Counter({ name: 'manga_assist_scheduler_runs_total', help: 'Task runs by outcome.', labelNames: ['task', 'outcome'], registers: [registry] });
  const duration = new Histogram({
    name: 'manga_assist_scheduler_run_seconds',
    help: 'Duration of task runs.',
    labelNames: ['task'],
    buckets: [0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const warmedEntries = new Counter({ name: 'manga_assist_scheduler_entries_warmed_total', help: 'Cache entries written by tasks.', labelNames: ['task'], registers: [registry] });

  const state = new Map<TaskName, SchedulerTaskStatus>(
    TASK_NAMES.map((name) => [
      name,
      { name, schedule: settings[name].schedule, ttlSeconds: settings[name].ttlSeconds, runs: 0, lastStart: null, lastDurationMs: null, lastEntries: null, lastError: null, nextRun: null, running: false },
    ]),
  );
  const warmedTasks = new Set<TaskName>();
  const scheduled = new Map<TaskName, ScheduledTask>();

  const execute = async (name: TaskName, slot: string): Promise<SchedulerTaskStatus> => {
    const status = state.get(name)!;
    const started = Date.now();
    status.running = true;
    status.lastStart = new Date(started).toISOString();
    try {
      const result = await TASKS[name].run(deps, settings[name].ttlSeconds);
      status.lastEntries = result.entries;
      status.lastError = result.failures > 0 ? `${result.failures} questions could not be answered` : null;
      runs.inc({ task: name, outcome: result.failures > 0 ? 'partial' : 'ok' });
      warmedEntries.inc({ task: name }, result.entries);
      logger.info({ task: name, slot, ...result, ms: Date.now() - started }, `${name} warmed`);
    } catch (error) {
      status.lastError = (error as Error).message;
      runs.inc({ task: name, outcome: 'failed' });
      logger.error({ task: name, slot, err: error }, `${name} failed`);
      throw error;
    } finally {
      status.running = false;
      status.runs++;
      status.lastDurationMs = Date.now() - started;
      duration.observe({ task: name }, (Date.now() - started) / 1000);
      // The run log shows which replica ran which slot (ops, and the exactly-once test).
      await redis
        .multi()
        .rpush(`${keyPrefix}scheduler:runs`, JSON.stringify({ task: name, slot, instance: instanceId, at: status.lastStart, ms: status.lastDurationMs }))
        .ltrim(`${keyPrefix}scheduler:runs`, -1000, -1)
        .exec()
        .catch(() => undefined);
    }
    return { ...status };
  };

  /** Runs a task in a slot through the coordinator: only the replica that wins the slot runs it. */
  const coordinated = async (name: TaskName, slot: string, ttlMs: number): Promise<boolean> => {
    const key = `${name}:${slot}`;
    if (!(await coordinator.shouldRun(key, ttlMs))) return false;
    try {
      await execute(name, slot);
    } catch {
      await coordinator.release(key);
    }
    return true;
  };

  return {
    start() {
      for (const name of TASK_NAMES) {
        const { schedule } = settings[name];
        const task = createTask(
          schedule,
          async (context) => {
            const slot = context.date.toISOString();
            const ran = await coordinated(name, slot, intervalMs(task));
            if (!ran) logger.debug({ task: name, slot }, `${name}: slot taken by another replica`);
          },
          { name: `manga-assist:${name}`, noOverlap: true },
        );
        scheduled.set(name, task);
        void task.start();
      }
    },
    async warmAll() {
      await Promise.all(
        TASK_NAMES.map(async (name) => {
          // One start-up run per task per interval across replicas.
          const interval = intervalMsOf(settings[name].schedule);
          const slot = `startup:${Math.floor(Date.now() / interval)}`;
          await coordinated(name, slot, interval).catch(() => undefined);
          warmedTasks.add(name);
        }),
      );
    },
    runNow: (name) => execute(name, `manual:${new Date().toISOString()}`),
    statuses: () =>
      TASK_NAMES.map((name) => ({ ...state.get(name)!, nextRun: scheduled.get(name)?.getNextRun()?.toISOString() ?? null })),
    warmed: () => warmedTasks.size === TASK_NAMES.length,
    async stop() {
      await Promise.all([...scheduled.values()].map((t) => t.stop()));
    },
  };
}

function intervalMs(task: ScheduledTask): number {
  const [a, b] = task.getNextRuns(2);
  return a && b ? b.getTime() - a.getTime() : 60_000;
}

function intervalMsOf(schedule: string): number {
  const probe = createTask(schedule, () => undefined);
  const ms = intervalMs(probe);
  void probe.destroy();
  return ms;
}
