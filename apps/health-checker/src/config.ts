import { z } from 'zod';
import { port, serviceShape } from '@manga-assist/config';
import { DEFAULT_PORTS } from '@manga-assist/contracts';

export const healthCheckerConfigSchema = z.object({
  ...serviceShape,
  HEALTH_CHECKER_PORT: port(DEFAULT_PORTS['health-checker']),
});
export type HealthCheckerConfig = z.infer<typeof healthCheckerConfigSchema>;
