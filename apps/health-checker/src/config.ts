import { z } from 'zod';
import { port, serviceShape } from '@manga-assist/config';
import { DEFAULT_PORTS } from '@manga-assist/contracts';
import { checkEndpointSettings, probeSettingsShape } from '@manga-assist/probes';

export const healthCheckerConfigSchema = z
  .object({
    ...serviceShape,
    ...probeSettingsShape,
    HEALTH_CHECKER_PORT: port(DEFAULT_PORTS['health-checker']),
    /** The latest report is kept in Redis under `${KEY_PREFIX}health:report` for the gateway's ops page. */
    KEY_PREFIX: z.string().min(1).default('ma:'),
  })
  .superRefine(checkEndpointSettings);
export type HealthCheckerConfig = z.infer<typeof healthCheckerConfigSchema>;
