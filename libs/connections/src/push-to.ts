import type { Redis } from 'ioredis';
import { ServerFrameSchema } from '@manga-assist/contracts';
import type { PushMessage, ServerFrame } from '@manga-assist/contracts';
import { connectionKey, pushChannel } from './connection-keys';

export interface PushResult {
  /** The instance registered as holding the connection, or null when none is (closed, or its instance died). */
  instanceId: string | null;
  /** Subscribers that received the message: 0 when the instance is registered but no longer listening. */
  listeners: number;
}

// KEYS: the connection's entry; ARGV: channel prefix, message. One round trip: look up, publish.
const PUSH = `local inst = redis.call('get', KEYS[1])
if not inst then return { '', 0 } end
return { inst, redis.call('publish', ARGV[1] .. inst, ARGV[2]) }`;

/**
 * Sends `frame` to the gateway instance holding `connectionId`, which writes it to the socket.
 * Resolves with where it went; a connection no instance holds gets nothing (and nothing is queued:
 * a client that reconnects is a new connection).
 */
export async function pushTo(redis: Redis, keyPrefix: string, connectionId: string, frame: ServerFrame): Promise<PushResult> {
  const message: PushMessage = { connectionId, frame: ServerFrameSchema.parse(frame) };
  const [instanceId, listeners] = (await redis.eval(PUSH, 1, connectionKey(keyPrefix, connectionId), pushChannel(keyPrefix, ''), JSON.stringify(message))) as [string, number];
  return { instanceId: instanceId === '' ? null : instanceId, listeners };
}
