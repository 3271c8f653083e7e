import { Redis } from 'ioredis';
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
  const subscriber = new Redis(redisUrl, {
    connectionName: options.connectionName ?? 'manga-assist:pushes',
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
  });
  let lastError: string | null = null;
  subscriber.on('error', (error: Error) => {
    if (error.message !== lastError) log?.warn({ err: error.message }, 'push subscriber: redis error');
    lastError = error.message;
  });
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
    async close() {
      if (subscriber.status === 'end') return;
      if (subscriber.status !== 'ready') return subscriber.disconnect();
      try {
        await subscriber.unsubscribe();
        await subscriber.quit();
      } catch {
        subscriber.disconnect();
      }
    },
  };
}
