import { z } from 'zod';
import { port, serviceShape } from '@manga-assist/config';
import { DEFAULT_PORTS } from '@manga-assist/contracts';

export const schedulerConfigSchema = z.object({
  ...serviceShape,
  SCHEDULER_PORT: port(DEFAULT_PORTS['prefetch-scheduler']),
});
export type SchedulerConfig = z.infer<typeof schedulerConfigSchema>;
