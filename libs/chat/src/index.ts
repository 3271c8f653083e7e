export { DEFAULT_CACHE_TTL_SECONDS, cacheScopeFor, createChatPipeline } from './chat-pipeline';
export type { ChatContext, ChatPipeline, ChatPipelineDeps, ChatRequest, ChatSink } from './chat-pipeline';
export type { ClassifierPort, ModelGateway, ModelStreamRequest, ProductSource, SessionSource, SessionView } from './ports';
export { SEGMENTS, SegmentClock } from './segment-clock';
export type { Segment } from './segment-clock';
export { selectProducts } from './select-products';
export { personalize } from './personalize';
export type { Personalization } from './personalize';
