import { DEFAULT_RESOURCE_PREFIX } from './table-definitions';

export interface StreamDefinition {
  StreamName: string;
  ShardCount: number;
}

// A type alias, not an interface, so it passes where a Record of definitions is expected.
export type StreamDefinitions = {
  /** Chat analytics events (PutRecords, partitioned by session). */
  analytics: StreamDefinition;
};

export function streamDefinitions(prefix: string = DEFAULT_RESOURCE_PREFIX): StreamDefinitions {
  return {
    analytics: { StreamName: `${prefix}analytics`, ShardCount: 2 },
  };
}
