import type { LookupFunction } from 'node:net';
import type { HookedLookup } from './hooked-lookup';

/** A `dns.lookup`-compatible callback function over the cache's lookups (for agents and sockets). */
export function lookupFunction(cacheable: Pick<HookedLookup, 'lookupAsync'>): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    const { family: requested, hints, all } = lookupOptions;
    const family = requested === 4 || requested === 'IPv4' ? 4 : requested === 6 || requested === 'IPv6' ? 6 : undefined;
    cacheable.lookupAsync(hostname, { family, hints, all: true }).then(
      (entries) => {
        if (all) callback(null, entries.map(({ address, family: f }) => ({ address, family: f })));
        else callback(null, entries[0]?.address ?? '', entries[0]?.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
