import { z } from 'zod';
import { awsShape, httpUrl, modelShape, port, retrievalShape, serviceShape } from '@manga-assist/config';
import { DEFAULT_PORTS } from '@manga-assist/contracts';

export const gatewayConfigSchema = z.object({
  ...serviceShape,
  ...awsShape,
  ...modelShape,
  ...retrievalShape,
  GATEWAY_PORT: port(DEFAULT_PORTS['chat-gateway']),
  SCHEDULER_URL: httpUrl(`http://127.0.0.1:${DEFAULT_PORTS['prefetch-scheduler']}`),
  POST_PROCESSOR_URL: httpUrl(`http://127.0.0.1:${DEFAULT_PORTS['post-processor']}`),
  HEALTH_CHECKER_URL: httpUrl(`http://127.0.0.1:${DEFAULT_PORTS['health-checker']}`),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
