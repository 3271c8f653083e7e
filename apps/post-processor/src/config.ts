import { z } from 'zod';
import { awsShape, port, retrievalShape, serviceShape } from '@manga-assist/config';
import { DEFAULT_PORTS } from '@manga-assist/contracts';
import { QUEUE_NAMES } from '@manga-assist/queue';
import type { QueueName } from '@manga-assist/queue';

export const postProcessorConfigSchema = z.object({
  ...serviceShape,
  ...awsShape,
  ...retrievalShape,
  POST_PROCESSOR_PORT: port(DEFAULT_PORTS['post-processor']),
  /** Which queues this process drains ("all" or a comma-separated list), so one build deploys in several shapes. */
  QUEUES: z
    .string()
    .default('all')
    .transform((value, ctx): QueueName[] => {
      if (value === 'all') return [...QUEUE_NAMES];
      const names = value.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !(QUEUE_NAMES as readonly string[]).includes(n));
      if (unknown.length > 0 || names.length === 0) {
        ctx.addIssue({ code: 'custom', message: `must be "all" or a list of ${QUEUE_NAMES.join(', ')} (unknown: ${unknown.join(', ') || 'none given'})` });
        return z.NEVER;
      }
      return names as QueueName[];
    }),
});
export type PostProcessorConfig = z.infer<typeof postProcessorConfigSchema>;
