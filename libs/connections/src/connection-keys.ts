/**
 * Where the registry lives in Redis, all under the key prefix:
 * - `<p>conn:<connectionId>` → the id of the gateway instance holding it (until it closes, its token expires, or its instance is swept);
 * - `<p>instance:<instanceId>:conns` → the connection ids an instance registered (for the sweep);
 * - `<p>instances` → sorted set of instance ids scored by their last heartbeat (Redis time, ms);
 * - `<p>push:<instanceId>` → the pub/sub channel an instance listens on for pushes to its connections.
 */
export function connectionKey(keyPrefix: string, connectionId: string): string {
  return `${keyPrefix}conn:${connectionId}`;
}

export function instanceConnectionsKey(keyPrefix: string, instanceId: string): string {
  return `${keyPrefix}instance:${instanceId}:conns`;
}

export function instancesKey(keyPrefix: string): string {
  return `${keyPrefix}instances`;
}

export function pushChannel(keyPrefix: string, instanceId: string): string {
  return `${keyPrefix}push:${instanceId}`;
}
