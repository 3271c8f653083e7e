import { createSubscriberConnection } from '@manga-assist/redis';
import { RevisionFrameSchema } from '@manga-assist/contracts';
import { connectionIdOf, revisionPattern } from './revision-channel';
import type { RevisionFrame } from './revision-frame';

export interface RevisionLogger {
  warn(obj: object, msg?: string): void;
}

export interface SubscribeRevisionsOptions {
  redisUrl: string;
  keyPrefix: string;
  /** Called for every revision published under `keyPrefix`; deliver it if the connection is here. */
  onRevision(connectionId: string, frame: RevisionFrame): void;
  log?: RevisionLogger;
  /** Shown in CLIENT LIST. */
  connectionName?: string;
}

export interface RevisionSubscription {
  /**
   * Resolves once the subscription is in place (waiting for Redis if it is away); rejects only if
   * the subscription is closed first. A caller need not wait: revisions flow as soon as it is.
   */
  ready: Promise<void>;
  /** Unsubscribes and closes the subscriber connection. */
  close(): Promise<void>;
}

/**
 * Listens for revisions on a connection of its own (a subscribed Redis connection can do nothing
 * else). One pattern covers every connection, so nothing changes as clients come and go; ioredis
 * subscribes again by itself after a reconnect. Returns at once, so a gateway starts (and reports
 * itself not ready) even while Redis is away.
 */
export function subscribeRevisions(options: SubscribeRevisionsOptions): RevisionSubscription {
  const { redisUrl, keyPrefix, onRevision, log } = options;
  const connection = createSubscriberConnection({ url: redisUrl, name: options.connectionName ?? 'manga-assist:revisions', label: 'revision subscriber', log });
  const subscriber = connection.redis;
  subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
    const connectionId = connectionIdOf(keyPrefix, channel);
    if (connectionId === null) return;
    let frame: RevisionFrame;
    try {
      frame = RevisionFrameSchema.parse(JSON.parse(message));
    } catch (error) {
      log?.warn({ channel, err: (error as Error).message }, 'revision subscriber: ignored a message that is not a revision frame');
      return;
    }
    onRevision(connectionId, frame);
  });
  const ready = subscriber.psubscribe(revisionPattern(keyPrefix)).then(() => undefined);
  // Handled here so an unawaited subscription closed early is not an unhandled rejection.
  ready.catch(() => undefined);

  return {
    ready,
    close: () => connection.close(),
  };
}
