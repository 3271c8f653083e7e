import { z } from 'zod';
import { awsShape, port, serviceShape } from '@manga-assist/config';
import { DEFAULT_PORTS } from '@manga-assist/contracts';

export const postProcessorConfigSchema = z.object({
  ...serviceShape,
  ...awsShape,
  POST_PROCESSOR_PORT: port(DEFAULT_PORTS['post-processor']),
});
export type PostProcessorConfig = z.infer<typeof postProcessorConfigSchema>;
