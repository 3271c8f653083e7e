export type {
  ModelEvent,
  ModelGrounding,
  ModelMessage,
  ModelProfiles,
  ModelProvider,
  ModelProviderName,
  ModelRequest,
  ModelUsage,
} from './model-provider';
export { ModelStreamError } from './model-stream-error';
export type { ModelStreamErrorCode, ModelStreamErrorFields } from './model-stream-error';
export { createLocalModelProvider, DEFAULT_LOCAL_PROFILES } from './local-model-provider';
export type { LocalModelProvider, LocalModelProviderOptions, LocalTimingProfile } from './local-model-provider';
export type { FaultPlan, FaultPlans } from './fault-plan';
export { createBedrockModelProvider } from './bedrock-model-provider';
export type { BedrockModelProviderOptions } from './bedrock-model-provider';
export { createOpenAICompatibleProvider } from './openai-compatible-provider';
export type { OpenAICompatibleProviderOptions } from './openai-compatible-provider';
export { assemblePrompt } from './assemble-prompt';
export type { AssembledPrompt, AssemblePromptInput } from './assemble-prompt';
export { routeModel } from './route-model';
export type { RouteModelOptions } from './route-model';
export { createModelProviderFromConfig } from './model-provider-config';
export type {
  BedrockModelConfig,
  ConfiguredModelProvider,
  LocalModelConfig,
  ModelProviderConfig,
  ModelProviderDeps,
  OpenAIModelConfig,
} from './model-provider-config';
export { detectLanguage } from './language';
export type { AnswerLanguage } from './language';
export { warmUpModel } from './warm-up-model';
export { modelProviderConfig } from './model-config';
export type { ModelEnv } from './model-config';
export { createModelGateway } from './model-gateway';
export type { ModelGateway, ModelStreamRequest } from './model-gateway';
