import { promises as dnsPromises, lookup as systemLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { EntryObject } from 'cacheable-lookup';
import { withDeadline } from '@manga-assist/resilience';
import type { Registry } from '@manga-assist/telemetry';
import { createAnswerStore } from './answer-store';
import { createDnsCacheMetrics } from './dns-cache-metrics';
import { HookedLookup } from './hooked-lookup';
import { lookupFunction } from './lookup-function';
import { alertMessage, privateClassifiers } from './private-hosts';

/** The part of a pino logger this lib uses. */
export interface DnsCacheLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Hostnames that must resolve to private (VPC endpoint) addresses: a map from hostname to extra
 * CIDRs that also count as private for it, or a predicate returning true / such CIDRs / false.
 */
export type PrivateHosts = ReadonlyMap<string, readonly string[]> | ((host: string) => boolean | readonly string[]);

export type DnsAlertKind =
  /** Only public addresses were offered; the private answer on record was kept. */
  | 'public-answer-refused'
  /** Private and public addresses were offered; only the private ones are used. */
  | 'public-addresses-dropped'
  /** Only public addresses were offered and no private answer is on record to keep. */
  | 'public-answer-without-private';

export interface DnsAlert {
  kind: DnsAlertKind;
  host: string;
  /** Addresses in use after the decision. */
  kept: string[];
  /** Public addresses the resolver offered. */
  offered: string[];
  message: string;
}

export type AnswerSource = 'cache' | 'query' | 'stale';

export interface CachedAnswer {
  host: string;
  addresses: { address: string; family: 4 | 6 }[];
  source: AnswerSource;
  /** True while a public answer for a private host is being refused in favour of the private one. */
  keptPrivate: boolean;
}

export interface DnsCacheOptions {
  /** Answers are kept at most this long, whatever their TTL (nscd's 60 s on the ECS hosts). */
  maxTtlSeconds?: number;
  /** The resolver to query (e.g. one with `setServers([...])`); default: the system's name servers. */
  resolver?: dnsPromises.Resolver;
  /** Name servers ("10.0.0.2", "127.0.0.1:5353") for the default resolver. */
  servers?: string[];
  /** How long a lookup waits on the resolver before the last good answer is served instead. */
  timeoutMs?: number;
  /** A last good answer older than this is no longer served when the resolver fails. */
  maxStaleSeconds?: number;
  /** After a failure the last good answer is served from the cache this long before the resolver is asked again. */
  staleRetrySeconds?: number;
  privateHosts?: PrivateHosts;
  /** Names the resolver does not know (localhost, /etc/hosts, container links) go to dns.lookup. */
  systemFallback?: boolean;
  log: DnsCacheLogger;
  registry?: Registry;
  onAlert?(alert: DnsAlert): void;
  /** Clock for TTLs and stale ages (tests move it forward). */
  now?: () => number;
  maxHosts?: number;
}

export interface HostStats {
  host: string;
  addresses: string[];
  expiresInMs: number;
  stale: boolean;
  keptPrivate: boolean;
  lastGoodAgeMs: number | null;
}

export interface DnsCacheStats {
  hits: number;
  misses: number;
  staleServed: number;
  privateRefused: number;
  resolverFailures: number;
  hosts: HostStats[];
}

export interface DnsCache {
  /** A `dns.lookup`-compatible function for `http.Agent({ lookup })`, `net.connect({ lookup })`. */
  lookup: LookupFunction;
  /** The answer an outgoing connection would use now, and where it came from. */
  resolve(host: string): Promise<CachedAnswer>;
  /** Keep-alive agents whose connections resolve through this cache. */
  agents(options?: https.AgentOptions): { http: http.Agent; https: https.Agent };
  stats(): DnsCacheStats;
  /** Forgets cached and last good answers (all, or one hostname's). */
  clear(host?: string): void;
}

interface LastGood {
  entries: EntryObject[];
  at: number;
  private: boolean;
}

interface Answer {
  entries: readonly EntryObject[];
  source: AnswerSource;
  keptPrivate: boolean;
}

const addresses = (entries: readonly EntryObject[]) => entries.map((e) => e.address);
// cacheable-lookup rewrites entries in place for V4MAPPED lookups: hand out copies only.
const copies = (entries: readonly EntryObject[]) => entries.map((e) => ({ ...e }));
const errorText = (error: unknown) =>
  error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);

function timeoutError(host: string, ms: number): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`DNS lookup of ${host} got no answer within ${ms} ms`);
  error.code = 'ETIMEOUT';
  return error;
}

// The query goes on after a timeout and fills the cache when it completes.
const withTimeout = <T>(query: () => Promise<T>, ms: number, host: string): Promise<T> =>
  withDeadline(ms, query, () => timeoutError(host, ms), { unref: true });

/**
 * A DNS cache for outgoing connections, built on cacheable-lookup: answers are kept within their
 * TTL (at most `maxTtlSeconds`); when the resolver fails or times out the last good answer is
 * served (serve-stale, RFC 8767); and for a host marked private, a public answer never replaces
 * a private one: the private address keeps being used and an alert is raised.
 */
export function createDnsCache(options: DnsCacheOptions): DnsCache {
  const {
    maxTtlSeconds = 60,
    timeoutMs = 1000,
    maxStaleSeconds = 3600,
    staleRetrySeconds = 30,
    systemFallback = true,
    log,
    onAlert,
    now = Date.now,
    maxHosts = 1000,
  } = options;
  const metrics = createDnsCacheMetrics(options.registry);
  const counts = { hits: 0, misses: 0, staleServed: 0, privateRefused: 0, resolverFailures: 0 };
  const lastGood = new Map<string, LastGood>();
  /** Hosts whose resolver is failing (stale answers served), to log the start and end once. */
  const failing = new Set<string>();
  /** Private hosts whose resolver currently offers public addresses. */
  const refusing = new Set<string>();
  const classifierFor = privateClassifiers(options.privateHosts);

  const store = createAnswerStore({ now, maxHosts, onFresh });

  const resolver =
    options.resolver ??
    (() => {
      const own = new dnsPromises.Resolver({ timeout: timeoutMs, tries: 2 });
      if (options.servers) own.setServers(options.servers);
      return own;
    })();

  const cacheable = new HookedLookup(
    {
      cache: store.cache,
      maxTtl: maxTtlSeconds,
      resolver,
      fallbackDuration: systemFallback ? 3600 : 0,
      lookup: systemFallback ? systemLookup : false,
    },
    async (host, query) => copies((await answer(host, query)).entries),
  );

  function alert(kind: DnsAlertKind, host: string, kept: string[], offered: string[]) {
    const message = alertMessage(kind, host, kept, offered);
    if (kind !== 'public-answer-without-private') {
      counts.privateRefused += 1;
      metrics.privateRefused(host);
      refusing.add(host);
    }
    log.error({ host, kind, kept, offered }, message);
    onAlert?.({ kind, host, kept, offered, message });
  }

  /** Every fresh, non-empty answer passes here before it is cached. */
  function onFresh(host: string, entries: EntryObject[]): EntryObject[] {
    if (failing.delete(host)) log.info({ host }, `resolver answers for ${host} again`);
    const at = now();
    const classify = classifierFor(host);
    if (!classify) {
      lastGood.set(host, { entries, at, private: false });
      return entries;
    }
    const privateEntries = entries.filter((e) => classify(e.address).private);
    const publicOnes = addresses(entries.filter((e) => !classify(e.address).private));
    if (publicOnes.length === 0) {
      if (refusing.delete(host)) log.info({ host, addresses: addresses(entries) }, `DNS for ${host} answers private again`);
      lastGood.set(host, { entries, at, private: true });
      return entries;
    }
    if (privateEntries.length > 0) {
      alert('public-addresses-dropped', host, addresses(privateEntries), publicOnes);
      lastGood.set(host, { entries: privateEntries, at, private: true });
      return privateEntries;
    }
    const last = lastGood.get(host);
    if (last?.private) {
      alert('public-answer-refused', host, addresses(last.entries), publicOnes);
      // The kept answer counts as current, so it is not dropped as too old for serve-stale.
      last.at = at;
      return last.entries;
    }
    alert('public-answer-without-private', host, [], publicOnes);
    lastGood.set(host, { entries, at, private: false });
    return entries;
  }

  function serveStale(host: string, error: unknown): Answer {
    counts.resolverFailures += 1;
    metrics.resolverFailure(host);
    const last = lastGood.get(host);
    const reason = errorText(error);
    if (!last || now() - last.at > maxStaleSeconds * 1000) {
      log.warn({ host, err: reason }, `DNS lookup of ${host} failed (${reason}) and no usable answer is on record`);
      throw error;
    }
    store.put(host, last.entries, staleRetrySeconds * 1000, true);
    counts.staleServed += 1;
    metrics.staleServed(host);
    if (!failing.has(host)) {
      failing.add(host);
      const ageSeconds = Math.round((now() - last.at) / 1000);
      log.warn(
        { host, err: reason, addresses: addresses(last.entries), ageSeconds },
        `resolver failed for ${host} (${reason}); serving its last good answer from ${ageSeconds} s ago`,
      );
    }
    return { entries: last.entries, source: 'stale', keptPrivate: refusing.has(host) };
  }

  /** Keeps public addresses of a private host out of a raw answer (callers that joined a query in flight). */
  function privateOnly(host: string, entries: readonly EntryObject[]): readonly EntryObject[] {
    const classify = classifierFor(host);
    if (!classify || entries.length === 0) return entries;
    const privateEntries = entries.filter((e) => classify(e.address).private);
    if (privateEntries.length > 0) return privateEntries;
    const last = lastGood.get(host);
    return last?.private ? last.entries : entries;
  }

  async function answer(host: string, query: () => Promise<readonly EntryObject[]>): Promise<Answer> {
    const before = store.peek(host);
    const cached = before !== undefined && before.expiresAt > now();
    let entries: readonly EntryObject[];
    try {
      entries = cached ? await query() : await withTimeout(query, timeoutMs, host);
    } catch (error) {
      return serveStale(host, error);
    }
    let source: AnswerSource = 'query';
    if (cached && before.stale) {
      source = 'stale';
      counts.staleServed += 1;
      metrics.staleServed(host);
    } else if (cached) {
      source = 'cache';
      counts.hits += 1;
      metrics.hit(host);
    } else {
      counts.misses += 1;
      metrics.miss(host);
    }
    return { entries: privateOnly(host, entries), source, keptPrivate: refusing.has(host) };
  }

  const lookup = lookupFunction(cacheable);

  return {
    lookup,
    async resolve(host) {
      const result = await answer(host, () => cacheable.baseQuery(host));
      return {
        host,
        addresses: result.entries.map(({ address, family }) => ({ address, family })),
        source: result.source,
        keptPrivate: result.keptPrivate,
      };
    },
    agents(agentOptions = {}) {
      const merged = { keepAlive: true, ...agentOptions, lookup };
      return { http: new http.Agent(merged), https: new https.Agent(merged) };
    },
    stats() {
      const at = now();
      return {
        ...counts,
        hosts: store.entries().map(([host, stored]) => {
          const last = lastGood.get(host);
          return {
            host,
            addresses: addresses(stored.entries),
            expiresInMs: Math.max(0, stored.expiresAt - at),
            stale: stored.stale,
            keptPrivate: refusing.has(host),
            lastGoodAgeMs: last ? at - last.at : null,
          };
        }),
      };
    },
    clear(host) {
      cacheable.clear(host);
      for (const set of [failing, refusing]) {
        if (host) set.delete(host);
        else set.clear();
      }
      if (host) lastGood.delete(host);
      else lastGood.clear();
    },
  };
}
