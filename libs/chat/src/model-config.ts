import type { ModelProviderConfig } from '@manga-assist/fm';

/** The validated MODEL_* / LOCAL_* / BEDROCK_* / OPENAI_* variables (see `modelShape`). */
export interface ModelEnv {
  MODEL_PROVIDER: 'local' | 'bedrock' | 'openai';
  LOCAL_HAIKU_FIRST_TOKEN_MS: number;
  LOCAL_HAIKU_TOKEN_MS: number;
  LOCAL_SONNET_FIRST_TOKEN_MS: number;
  LOCAL_SONNET_TOKEN_MS: number;
  BEDROCK_ENDPOINT?: string;
  BEDROCK_HAIKU_MODEL_ID: string;
  BEDROCK_SONNET_MODEL_ID: string;
  MODEL_MAX_TOKENS: number;
  OPENAI_BASE_URL: string;
  OPENAI_API_KEY?: string;
  OPENAI_HAIKU_MODEL: string;
  OPENAI_SONNET_MODEL: string;
  AWS_REGION: string;
  LOCAL_STACK: boolean;
}

export function modelProviderConfig(env: ModelEnv): ModelProviderConfig {
  switch (env.MODEL_PROVIDER) {
    case 'local':
      return {
        provider: 'local',
        profiles: {
          haiku: { firstTokenMs: env.LOCAL_HAIKU_FIRST_TOKEN_MS, perTokenMs: env.LOCAL_HAIKU_TOKEN_MS },
          sonnet: { firstTokenMs: env.LOCAL_SONNET_FIRST_TOKEN_MS, perTokenMs: env.LOCAL_SONNET_TOKEN_MS },
        },
      };
    case 'bedrock':
      return {
        provider: 'bedrock',
        region: env.AWS_REGION,
        endpoint: env.BEDROCK_ENDPOINT,
        modelIds: { haiku: env.BEDROCK_HAIKU_MODEL_ID, sonnet: env.BEDROCK_SONNET_MODEL_ID },
        maxTokens: env.MODEL_MAX_TOKENS,
        // A local stand-in endpoint accepts any signature, and a dev machine has no AWS profile.
        credentials: env.LOCAL_STACK && env.BEDROCK_ENDPOINT ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
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
