import type { LookupFunction } from 'node:net';
import { isLocalStandIn } from '@manga-assist/config';
import type { AwsSettings, GuardrailSettings } from '@manga-assist/config';
import { awsRequestHandler, createConnectionPool } from '@manga-assist/pools';
import type { ConnectionPool } from '@manga-assist/pools';
import type { Registry } from '@manga-assist/telemetry';
import { createBedrockGuardrail } from './bedrock-guardrail';
import type { RemoteGuardrail } from './bedrock-guardrail';

export type ConfiguredGuardrailSettings = GuardrailSettings & Pick<AwsSettings, 'AWS_REGION' | 'LOCAL_STACK'> & { BEDROCK_ENDPOINT?: string };

/**
 * Bedrock ApplyGuardrail when GUARDRAIL_PROVIDER=bedrock (the config schema made sure of its id),
 * through a keep-alive pool with the model pool's settings (the same bedrock-runtime host) and one
 * attempt per call; nothing otherwise. Whoever writes the shared response cache builds it the same way.
 */
export function createConfiguredGuardrail(
  config: ConfiguredGuardrailSettings,
  { lookup, registry }: { lookup: LookupFunction; registry: Registry },
): { guardrail?: RemoteGuardrail; pool?: ConnectionPool } {
  if (config.GUARDRAIL_PROVIDER !== 'bedrock' || !config.BEDROCK_GUARDRAIL_ID) return {};
  const pool = createConnectionPool({ name: 'model', lookup, registry });
  const guardrail = createBedrockGuardrail({
    region: config.AWS_REGION,
    guardrailId: config.BEDROCK_GUARDRAIL_ID,
    guardrailVersion: config.BEDROCK_GUARDRAIL_VERSION,
    endpoint: config.BEDROCK_ENDPOINT,
    localCredentials: isLocalStandIn(config.LOCAL_STACK, config.BEDROCK_ENDPOINT),
    timeoutMs: config.BEDROCK_GUARDRAIL_TIMEOUT_MS,
    requestHandler: awsRequestHandler(pool, { requestTimeoutMs: config.BEDROCK_GUARDRAIL_TIMEOUT_MS }),
  });
  return { guardrail, pool };
}
