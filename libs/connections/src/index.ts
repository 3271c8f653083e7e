export { createConnectionRegistry } from './connection-registry';
export type { ConnectionRegistry, ConnectionRegistryOptions, RegistryLogger, RegistryStats } from './connection-registry';
export { pushTo } from './push-to';
export type { PushResult } from './push-to';
export { subscribePushes } from './subscribe-pushes';
export type { PushSubscription, SubscribePushesOptions } from './subscribe-pushes';
export { connectionKey, instanceConnectionsKey, instancesKey, pushChannel } from './connection-keys';
