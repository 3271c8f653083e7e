import { z } from 'zod';
import { httpUrl, port, serviceShape } from '@manga-assist/config';
import { DEFAULT_PORTS } from '@manga-assist/contracts';
import { checkEndpointSettings, probeSettingsShape } from '@manga-assist/probes';

const names = (what: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (list.length > 100) ctx.addIssue({ code: 'custom', message: `must list at most 100 ${what}` });
      return list;
    });

export const healthCheckerConfigSchema = z
  .object({
    ...serviceShape,
    ...probeSettingsShape,
    HEALTH_CHECKER_PORT: port(DEFAULT_PORTS['health-checker']),
    /** The latest report is kept in Redis under `${KEY_PREFIX}health:report` for the gateway's ops page. */
    KEY_PREFIX: z.string().min(1).default('ma:'),
    /** OpenSearch Serverless collections (names, comma-separated) whose status each report carries. */
    OPENSEARCH_COLLECTION: names('collection names'),
    /** The VPC endpoints (ids, comma-separated) the apps reach the collections through. */
    OPENSEARCH_VPC_ENDPOINT_ID: names('VPC endpoint ids'),
    /** The OpenSearch Serverless control-plane endpoint; unset: AWS's for AWS_REGION, with the task role. */
    OPENSEARCH_SERVERLESS_ENDPOINT: httpUrl().optional(),
  })
  .superRefine(checkEndpointSettings);
export type HealthCheckerConfig = z.infer<typeof healthCheckerConfigSchema>;
