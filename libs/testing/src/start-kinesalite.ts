import { loadEngine, startEngine } from './local-engine';
import type { LocalEngine, LocalEngineOptions } from './local-engine';

export interface KinesaliteOptions extends LocalEngineOptions {
  /** Open shards allowed across all streams (kinesalite defaults to 10, too few for many tests). */
  shardLimit?: number;
}

/**
 * Starts kinesalite (Kinesis API) in this process, on an ephemeral port unless `port` is given.
 * Streams are ACTIVE as soon as they are created, deleted or resharded.
 */
export function startKinesalite(options: KinesaliteOptions = {}): Promise<LocalEngine> {
  return startEngine('kinesalite', options, () =>
    loadEngine('kinesalite')({
      path: options.path,
      createStreamMs: 0,
      deleteStreamMs: 0,
      updateStreamMs: 0,
      shardLimit: options.shardLimit ?? 1000,
    }),
  );
}
