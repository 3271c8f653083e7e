import { promises as dnsPromises } from 'node:dns';
import net from 'node:net';
import { PhaseError, timed } from './phase-error';

export interface DnsAnswer {
  ms: number;
  source: 'resolver' | 'system' | 'literal';
  ttlSeconds: number | null;
  addresses: { address: string; family: 4 | 6 }[];
}

export interface HostResolver {
  /** Resolves fresh (never from a cache), timed; rejects with a PhaseError. */
  resolve(host: string): Promise<DnsAnswer>;
  /** Abandons queries in flight (at shutdown). */
  cancel(): void;
}

export interface HostResolverOptions {
  /**
   * 'system': getaddrinfo, as the apps' connections do by default (reads /etc/hosts);
   * 'resolver': the system's name servers queried directly (TTLs known);
   * a list of name servers ("10.0.0.2", "127.0.0.1:5353") queried directly.
   */
  servers: 'system' | 'resolver' | string[];
  timeoutMs: number;
}

const NO_DATA = new Set(['ENODATA', 'ENOTFOUND', 'ENOENT']);

async function orEmpty<T>(query: Promise<T[]>): Promise<T[]> {
  try {
    return await query;
  } catch (error) {
    if (NO_DATA.has((error as NodeJS.ErrnoException).code ?? '')) return [];
    throw error;
  }
}

export function createHostResolver({ servers, timeoutMs }: HostResolverOptions): HostResolver {
  // c-ares gets a little longer than the phase deadline, so the deadline decides and says so.
  const resolver = servers === 'system' ? null : new dnsPromises.Resolver({ timeout: timeoutMs + 100, tries: 1 });
  if (resolver && Array.isArray(servers)) resolver.setServers(servers);

  return {
    async resolve(host) {
      const family = net.isIP(host);
      if (family !== 0) return { ms: 0, source: 'literal', ttlSeconds: null, addresses: [{ address: host, family: family as 4 | 6 }] };
      if (!resolver) {
        const { value, ms } = await timed(`DNS resolution of ${host}`, timeoutMs, () =>
          dnsPromises.lookup(host, { all: true, verbatim: true }),
        );
        return { ms, source: 'system', ttlSeconds: null, addresses: value.map((a) => ({ address: a.address, family: a.family as 4 | 6 })) };
      }
      const { value, ms } = await timed(`DNS resolution of ${host}`, timeoutMs, () =>
        Promise.all([orEmpty(resolver.resolve4(host, { ttl: true })), orEmpty(resolver.resolve6(host, { ttl: true }))]),
      );
      const [a, aaaa] = value;
      const records = [...a.map((r) => ({ ...r, family: 4 as const })), ...aaaa.map((r) => ({ ...r, family: 6 as const }))];
      if (records.length === 0) throw new PhaseError(`DNS resolution of ${host} found no address (no A or AAAA record)`, 'ENOTFOUND', ms);
      return {
        ms,
        source: 'resolver',
        ttlSeconds: Math.min(...records.map((r) => r.ttl)),
        addresses: records.map(({ address, family: f }) => ({ address, family: f })),
      };
    },
    cancel: () => resolver?.cancel(),
  };
}
