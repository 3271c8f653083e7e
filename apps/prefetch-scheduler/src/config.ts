import os from 'node:os';
import { z } from 'zod';
import { createTask, validateDetailed } from 'node-cron';
import { awsShape, checkGuardrailSettings, checkSearchSettings, guardrailShape, modelShape, port, positiveInt, retrievalShape, searchShape, serviceShape } from '@manga-assist/config';
import { DEFAULT_PORTS } from '@manga-assist/contracts';
import { TASKS } from './tasks/task-defaults';
import type { TaskName } from './tasks/task-defaults';

/** Seconds between two runs of a cron pattern (its shortest gap over the next few runs). */
export function cronIntervalSeconds(pattern: string): number {
  const probe = createTask(pattern, () => undefined);
  const runs = probe.getNextRuns(5).map((d) => d.getTime());
  void probe.destroy();
  let min = Infinity;
  for (let i = 1; i < runs.length; i++) min = Math.min(min, runs[i]! - runs[i - 1]!);
  return Math.round(min / 1000);
}

const cronPattern = (defaultPattern: string) =>
  z
    .string()
    .default(defaultPattern)
    .superRefine((value, ctx) => {
      const result = validateDetailed(value);
      if (!result.valid) {
        ctx.addIssue({ code: 'custom', message: `is not a valid cron pattern: ${result.errors.map((e) => `${e.field} ${e.message}`).join('; ')}` });
      }
    });

const taskFields = (task: TaskName, prefix: string) => ({
  [`${prefix}_CRON`]: cronPattern(TASKS[task].schedule),
  [`${prefix}_TTL_S`]: positiveInt(TASKS[task].ttlSeconds),
  /** Why a TTL shorter than the interval is fine (answers then lapse between runs). */
  [`${prefix}_TTL_REASON`]: z.string().min(1).optional(),
});

export const TASK_ENV_PREFIX: Record<TaskName, string> = {
  trending: 'TRENDING',
  'new-releases': 'NEW_RELEASES',
  genres: 'GENRES',
  'top-titles': 'TOP_TITLES',
};

const shape = {
  ...serviceShape,
  ...modelShape,
  ...retrievalShape,
  ...searchShape,
  ...guardrailShape,
  AWS_REGION: awsShape.AWS_REGION,
  LOCAL_STACK: awsShape.LOCAL_STACK,
  SCHEDULER_PORT: port(DEFAULT_PORTS['prefetch-scheduler']),
  INSTANCE_ID: z.string().min(1).default(`${os.hostname()}-${process.pid}`),
  TOP_TITLES_COUNT: positiveInt(100),
  PRECOMPUTE_CONCURRENCY: positiveInt(16),
  ...taskFields('trending', 'TRENDING'),
  ...taskFields('new-releases', 'NEW_RELEASES'),
  ...taskFields('genres', 'GENRES'),
  ...taskFields('top-titles', 'TOP_TITLES'),
};

export const schedulerConfigSchema = z.object(shape).superRefine((config, ctx) => {
  checkSearchSettings(config, ctx);
  checkGuardrailSettings(config, ctx);
  const values = config as Record<string, unknown>;
  for (const prefix of Object.values(TASK_ENV_PREFIX)) {
    const pattern = values[`${prefix}_CRON`] as string;
    if (!validateDetailed(pattern).valid) continue;
    const interval = cronIntervalSeconds(pattern);
    const ttl = values[`${prefix}_TTL_S`] as number;
    if (ttl < interval && !values[`${prefix}_TTL_REASON`]) {
      ctx.addIssue({
        code: 'custom',
        path: [`${prefix}_TTL_S`],
        message: `(${ttl} s) is shorter than the ${prefix}_CRON interval (${interval} s): answers would lapse between runs; raise it or set ${prefix}_TTL_REASON`,
      });
    }
  }
});
export type SchedulerConfig = z.infer<typeof schedulerConfigSchema>;

/** Schedule and TTL of one task from the validated config. */
export function taskSettings(config: SchedulerConfig, task: TaskName): { schedule: string; ttlSeconds: number } {
  const values = config as Record<string, unknown>;
  const prefix = TASK_ENV_PREFIX[task];
  return { schedule: values[`${prefix}_CRON`] as string, ttlSeconds: values[`${prefix}_TTL_S`] as number };
}
