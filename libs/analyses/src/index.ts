export { createOperationStore } from './operation-store';
export type { FinalOutcome, NewOperation, OperationStore, OperationStoreOptions, StoredOperation } from './operation-store';
export { analysisChannel, createAnalysisSubscriber, publishAnalysisEvent } from './analysis-channel';
export type { AnalysisSubscriber, AnalysisSubscriberOptions } from './analysis-channel';
export { operationIdFor, requestHashOf } from './operation-id';
