import { z } from 'zod';
import { SchedulerStatusSchema, SchedulerTaskNameSchema, SchedulerTaskStatusSchema } from '@manga-assist/contracts';
import type { SchedulerTaskStatus } from '@manga-assist/contracts';
import { serviceProcedures } from './service.procedures';
import type { ServiceDeps } from './service.procedures';
import { controlProcedure, publicProcedure, router } from './trpc';

export interface SchedulerRouterDeps extends ServiceDeps {
  tasks(): SchedulerTaskStatus[];
  /** Runs a task now on this replica and returns its status after the run. */
  warmNow(task: SchedulerTaskStatus['name']): Promise<SchedulerTaskStatus>;
}

export function createSchedulerRouter(deps: SchedulerRouterDeps) {
  return router({
    ...serviceProcedures(deps),
    // The scheduler's status also carries each task: schedule, last run, entries written, next run.
    status: publicProcedure.output(SchedulerStatusSchema).query(() => ({ ...deps.status(), tasks: deps.tasks() })),
    warmNow: controlProcedure
      .input(z.object({ task: SchedulerTaskNameSchema }))
      .output(SchedulerTaskStatusSchema)
      .mutation(({ input }) => deps.warmNow(input.task)),
  });
}
export type SchedulerRouter = ReturnType<typeof createSchedulerRouter>;
