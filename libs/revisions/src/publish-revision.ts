import type { Redis } from 'ioredis';
import { pushTo } from '@manga-assist/connections';
import { RevisionFrameSchema } from '@manga-assist/contracts';
import type { RevisionFrame } from './revision-frame';
import { revisionChannel } from './revision-channel';

/**
 * Sends a revision to the gateway instance holding `connectionId` (the connection registry,
 * libs/connections): only that instance receives it. A connection no instance has registered (held
 * by a gateway from before the registry, during a rolling upgrade) gets it on its own revision
 * channel, which those gateways listen on. Resolves with the number of listeners that received it
 * (0: the connection is gone, and simply gets nothing).
 */
export async function publishRevision(redis: Redis, keyPrefix: string, connectionId: string, frame: RevisionFrame): Promise<number> {
  const parsed = RevisionFrameSchema.parse(frame);
  const pushed = await pushTo(redis, keyPrefix, connectionId, parsed);
  if (pushed.instanceId !== null) return pushed.listeners;
  return redis.publish(revisionChannel(keyPrefix, connectionId), JSON.stringify(parsed));
}
