import type { Redis } from 'ioredis';
import { RevisionFrameSchema } from '@manga-assist/contracts';
import type { RevisionFrame } from './revision-frame';
import { revisionChannel } from './revision-channel';

/**
 * Sends a revision to whichever gateway instance holds `connectionId`. Resolves with the number
 * of gateway instances listening (not whether the connection is still open: only its instance
 * knows that, and a closed connection simply gets nothing).
 */
export async function publishRevision(redis: Redis, keyPrefix: string, connectionId: string, frame: RevisionFrame): Promise<number> {
  const parsed = RevisionFrameSchema.parse(frame);
  return redis.publish(revisionChannel(keyPrefix, connectionId), JSON.stringify(parsed));
}
