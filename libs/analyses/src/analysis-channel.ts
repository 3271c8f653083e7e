import type { Redis } from 'ioredis';
import { createSubscriberConnection } from '@manga-assist/redis';
import { AnalysisEventSchema } from '@manga-assist/contracts';
import type { AnalysisEvent } from '@manga-assist/contracts';

/** One pub/sub channel per operation: `<keyPrefix>analysis:<operationId>`. */
export function analysisChannel(keyPrefix: string, operationId: string): string {
  return `${keyPrefix}analysis:${operationId}`;
}

/** Publishes an event of a running analysis to whoever listens for it (a gateway holding its WebSocket). */
export async function publishAnalysisEvent(redis: Redis, keyPrefix: string, event: AnalysisEvent): Promise<number> {
  const parsed = AnalysisEventSchema.parse(event);
  return redis.publish(analysisChannel(keyPrefix, parsed.operationId), JSON.stringify(parsed));
}

export interface AnalysisSubscriberOptions {
  redisUrl: string;
  keyPrefix: string;
  log?: { warn(obj: object, msg?: string): void };
  connectionName?: string;
}

export interface AnalysisSubscriber {
  /**
   * Calls `listener` with each event of `operationId` until the returned function is called.
   * Resolves once Redis has confirmed the subscription, so nothing published afterwards is missed.
   */
  watch(operationId: string, listener: (event: AnalysisEvent) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Listens on one connection of its own (a subscribed connection can do nothing else), subscribed
 * only to the operations this process is waiting for, so a gateway receives the tokens of its own
 * clients' analyses and nobody else's.
 */
export function createAnalysisSubscriber(options: AnalysisSubscriberOptions): AnalysisSubscriber {
  const { keyPrefix, log } = options;
  const connection = createSubscriberConnection({ url: options.redisUrl, name: options.connectionName ?? 'manga-assist:analyses', label: 'analysis subscriber', log });
  const subscriber = connection.redis;
  const listeners = new Map<string, Set<(event: AnalysisEvent) => void>>();
  subscriber.on('message', (channel: string, message: string) => {
    const found = listeners.get(channel);
    if (!found) return;
    let event: AnalysisEvent;
    try {
      event = AnalysisEventSchema.parse(JSON.parse(message));
    } catch (error) {
      log?.warn({ channel, err: (error as Error).message }, 'analysis subscriber: ignored a message that is not an analysis event');
      return;
    }
    for (const listener of found) listener(event);
  });

  return {
    async watch(operationId, listener) {
      const channel = analysisChannel(keyPrefix, operationId);
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(listener);
      await subscriber.subscribe(channel);
      return async () => {
        const current = listeners.get(channel);
        current?.delete(listener);
        if (current && current.size === 0) {
          listeners.delete(channel);
          await subscriber.unsubscribe(channel).catch(() => undefined);
        }
      };
    },
    async close() {
      listeners.clear();
      await connection.close();
    },
  };
}
