import { z } from 'zod';
import { ServiceStatusSchema } from '@manga-assist/contracts';
import type { ServiceStatus } from '@manga-assist/contracts';
import { controlProcedure, publicProcedure } from './trpc';

export const LogLevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
export type LogLevel = z.infer<typeof LogLevelSchema>;

/** What every app gives its router: its status, and a way to change its log level at run time. */
export interface ServiceDeps {
  status(): ServiceStatus;
  setLogLevel(level: LogLevel): void;
}

/** The procedures every app serves. */
export function serviceProcedures(deps: ServiceDeps) {
  return {
    status: publicProcedure.output(ServiceStatusSchema).query(() => deps.status()),
    setLogLevel: controlProcedure
      .input(z.object({ level: LogLevelSchema }))
      .mutation(({ input }) => {
        deps.setLogLevel(input.level);
        return { level: input.level };
      }),
  };
}
