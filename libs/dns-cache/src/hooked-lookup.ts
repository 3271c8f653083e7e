import CacheableLookup from 'cacheable-lookup';
import type { EntryObject, Options } from 'cacheable-lookup';

export type QueryHook = (host: string, query: () => Promise<readonly EntryObject[]>) => Promise<readonly EntryObject[]>;

/**
 * cacheable-lookup with its `query` step (cache, else resolver) wrapped, so serve-stale and the
 * private address policy apply to `lookup`, `lookupAsync` and agents it is installed on alike.
 */
export class HookedLookup extends CacheableLookup {
  private readonly hook: QueryHook;

  constructor(options: Options, hook: QueryHook) {
    super(options);
    this.hook = hook;
  }

  override query(hostname: string): Promise<readonly EntryObject[]> {
    return this.hook(hostname, () => super.query(hostname));
  }

  /** The unwrapped step: cached entries, else a resolver query (shared by concurrent callers). */
  baseQuery(hostname: string): Promise<readonly EntryObject[]> {
    return super.query(hostname);
  }
}
