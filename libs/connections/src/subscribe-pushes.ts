import { createSubscriberConnection } from '@manga-assist/redis';
import { PushMessageSchema } from '@manga-assist/contracts';
import type { ServerFrame } from '@manga-assist/contracts';
import type { RegistryLogger } from './connection-registry';
import { pushChannel } from './connection-keys';

export interface SubscribePushesOptions {
  redisUrl: string;
  keyPrefix: string;
  /** The instance whose channel to listen on (the registry's `instanceId`). */
  instanceId: string;
  /** Called for each frame pushed to a connection registered by this instance. */
  onPush(connectionId: string, frame: ServerFrame): void;
  log?: RegistryLogger;
  /** Shown in CLIENT LIST. */
  connectionName?: string;
}

export interface PushSubscription {
  /** Resolves once subscribed (waiting for Redis if it is away); rejects only if closed first. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Listens on this instance's push channel, on a Redis connection of its own (a subscribed
 * connection can do nothing else); ioredis subscribes again by itself after a reconnect.
 */
export function subscribePushes(options: SubscribePushesOptions): PushSubscription {
  const { redisUrl, keyPrefix, instanceId, onPush, log } = options;
  const channel = pushChannel(keyPrefix, instanceId);
  const connection = createSubscriberConnection({ url: redisUrl, name: options.connectionName ?? 'manga-assist:pushes', label: 'push subscriber', log });
  const subscriber = connection.redis;
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    let parsed;
    try {
      parsed = PushMessageSchema.parse(JSON.parse(message));
    } catch (error) {
      log?.warn({ channel, err: (error as Error).message }, 'push subscriber: ignored a message that is not a push');
      return;
    }
    onPush(parsed.connectionId, parsed.frame);
  });
  const ready = subscriber.subscribe(channel).then(() => undefined);
  ready.catch(() => undefined);

  return {
    ready,
    close: () => connection.close(),
  };
}
