import { LOCAL_CREDENTIALS, isLocalStandIn } from '@manga-assist/config';
import type { AwsSettings, ModelSettings } from '@manga-assist/config';
import type { ModelProviderConfig } from './model-provider-config';

/** What the model config is built from: the validated `modelShape` variables plus the AWS region and LOCAL_STACK. */
export type ModelEnv = ModelSettings & Pick<AwsSettings, 'AWS_REGION' | 'LOCAL_STACK'>;

export function modelProviderConfig(env: ModelEnv): ModelProviderConfig {
  switch (env.MODEL_PROVIDER) {
    case 'local':
      return {
        provider: 'local',
        profiles: {
          haiku: { firstTokenMs: env.LOCAL_HAIKU_FIRST_TOKEN_MS, perTokenMs: env.LOCAL_HAIKU_TOKEN_MS },
          sonnet: { firstTokenMs: env.LOCAL_SONNET_FIRST_TOKEN_MS, perTokenMs: env.LOCAL_SONNET_TOKEN_MS },
        },
        analysisMs: env.LOCAL_MODEL_ANALYSIS_MS,
      };
    case 'bedrock':
      return {
        provider: 'bedrock',
        region: env.AWS_REGION,
        endpoint: env.BEDROCK_ENDPOINT,
        modelIds: { haiku: env.BEDROCK_HAIKU_MODEL_ID, sonnet: env.BEDROCK_SONNET_MODEL_ID },
        maxTokens: env.MODEL_MAX_TOKENS,
        // The one stand-in rule: placeholder keys only for a non-AWS endpoint under LOCAL_STACK.
        credentials: isLocalStandIn(env.LOCAL_STACK, env.BEDROCK_ENDPOINT) ? LOCAL_CREDENTIALS : undefined,
      };
    case 'openai':
      return {
        provider: 'openai',
        baseURL: env.OPENAI_BASE_URL,
        apiKey: env.OPENAI_API_KEY,
        models: { haiku: env.OPENAI_HAIKU_MODEL, sonnet: env.OPENAI_SONNET_MODEL },
        maxTokens: env.MODEL_MAX_TOKENS,
      };
  }
}
