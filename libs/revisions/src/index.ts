export { publishRevision } from './publish-revision';
export { subscribeRevisions } from './subscribe-revisions';
export type { RevisionLogger, RevisionSubscription, SubscribeRevisionsOptions } from './subscribe-revisions';
export { connectionIdOf, revisionChannel, revisionPattern } from './revision-channel';
export type { RevisionFrame } from './revision-frame';
