import { promises as dnsPromises } from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from '@manga-assist/telemetry';
import { createTestLogger } from '@manga-assist/testing';
import { createDnsCache } from '../src';
import type { DnsAlert, DnsCacheOptions } from '../src';
import { startTestDnsServer } from '@manga-assist/testing';
import type { TestDnsServer } from '@manga-assist/testing';

// Test names resolve only through the test's own DNS server; only 127.0.0.x is ever connected to.
const BEDROCK = 'bedrock-runtime.ap-northeast-1.amazonaws.com';
const DYNAMODB = 'dynamodb.ap-northeast-1.amazonaws.com';

const resolvers: dnsPromises.Resolver[] = [];
function resolverFor(dns: TestDnsServer) {
  const resolver = new dnsPromises.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dns.address]);
  resolvers.push(resolver);
  return resolver;
}

function setup(dns: TestDnsServer, options: Partial<DnsCacheOptions> = {}) {
  let clock = 1_700_000_000_000;
  const log = createTestLogger();
  const alerts: DnsAlert[] = [];
  const registry = new Registry();
  const cache = createDnsCache({
    resolver: resolverFor(dns),
    systemFallback: false,
    log,
    registry,
    now: () => clock,
    onAlert: (alert) => alerts.push(alert),
    ...options,
  });
  return {
    cache,
    log,
    alerts,
    registry,
    advance: (seconds: number) => {
      clock += seconds * 1000;
    },
  };
}

const aQueries = (dns: TestDnsServer, host: string) => dns.queries.filter((q) => q.name === host && q.type === 'A').length;

describe('DNS cache', () => {
  let dns: TestDnsServer;
  beforeEach(async () => {
    dns = await startTestDnsServer();
  });
  afterEach(async () => {
    // A query the test gave up on would keep the process alive until its own timeout.
    for (const resolver of resolvers.splice(0)) resolver.cancel();
    await dns.stop();
  });

  it('keeps answers within their TTL, never longer than 60 s', async () => {
    dns.answer(DYNAMODB, { a: ['10.0.2.7'], ttl: 300 });
    const { cache, advance } = setup(dns);
    expect(await cache.resolve(DYNAMODB)).toMatchObject({ source: 'query', addresses: [{ address: '10.0.2.7', family: 4 }] });
    advance(59);
    expect((await cache.resolve(DYNAMODB)).source).toBe('cache');
    expect(aQueries(dns, DYNAMODB)).toBe(1);
    advance(2);
    expect((await cache.resolve(DYNAMODB)).source).toBe('query');
    expect(aQueries(dns, DYNAMODB)).toBe(2);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, staleServed: 0 });
  });

  it('follows a TTL shorter than the cap', async () => {
    dns.answer(DYNAMODB, { a: ['10.0.2.7'], ttl: 5 });
    const { cache, advance } = setup(dns);
    await cache.resolve(DYNAMODB);
    advance(4);
    expect((await cache.resolve(DYNAMODB)).source).toBe('cache');
    advance(2);
    expect((await cache.resolve(DYNAMODB)).source).toBe('query');
  });

  it('asks the resolver once for concurrent lookups of one name', async () => {
    dns.answer(DYNAMODB, { a: ['10.0.2.7'], ttl: 60, delayMs: 30 });
    const { cache } = setup(dns);
    await Promise.all(Array.from({ length: 10 }, () => cache.resolve(DYNAMODB)));
    expect(aQueries(dns, DYNAMODB)).toBe(1);
  });

  it('serves the last good answer when the resolver stops answering, after the lookup timeout', async () => {
    dns.answer(BEDROCK, { a: ['10.0.1.5'], ttl: 60 });
    const { cache, advance, log, registry } = setup(dns, { timeoutMs: 150 });
    await cache.resolve(BEDROCK);
    dns.answer(BEDROCK, { mode: 'drop' });
    advance(61);
    const started = performance.now();
    const stale = await cache.resolve(BEDROCK);
    const waited = performance.now() - started;
    expect(stale).toMatchObject({ source: 'stale', addresses: [{ address: '10.0.1.5' }] });
    expect(waited).toBeGreaterThanOrEqual(145);
    expect(waited).toBeLessThan(400);
    // Further lookups are answered at once from the stale copy until it is time to retry.
    const again = performance.now();
    expect((await cache.resolve(BEDROCK)).source).toBe('stale');
    expect(performance.now() - again).toBeLessThan(50);
    expect(cache.stats()).toMatchObject({ staleServed: 2, resolverFailures: 1 });
    expect(log.messages()).toContain(
      `resolver failed for ${BEDROCK} (ETIMEOUT); serving its last good answer from 61 s ago`,
    );
    expect(await registry.metrics()).toContain(`dns_cache_stale_served_total{host="${BEDROCK}"} 2`);
  });

  it('serves the last good answer on SERVFAIL, and fresh answers again once the resolver recovers', async () => {
    dns.answer(DYNAMODB, { a: ['10.0.2.7'], ttl: 60 });
    const { cache, advance, log } = setup(dns);
    await cache.resolve(DYNAMODB);
    dns.answer(DYNAMODB, { mode: 'servfail' });
    advance(61);
    expect((await cache.resolve(DYNAMODB)).source).toBe('stale');
    dns.answer(DYNAMODB, { a: ['10.0.2.8'], ttl: 60 });
    advance(31);
    expect(await cache.resolve(DYNAMODB)).toMatchObject({ source: 'query', addresses: [{ address: '10.0.2.8' }] });
    expect(log.messages()).toContain(`resolver answers for ${DYNAMODB} again`);
  });

  it('fails a lookup it has no good answer for, and stops serving an answer older than maxStaleSeconds', async () => {
    dns.answer(DYNAMODB, { mode: 'servfail' });
    const { cache, advance } = setup(dns, { maxStaleSeconds: 600 });
    await expect(cache.resolve(DYNAMODB)).rejects.toMatchObject({ code: 'ESERVFAIL' });
    dns.answer(DYNAMODB, { a: ['10.0.2.7'], ttl: 60 });
    await cache.resolve(DYNAMODB);
    dns.answer(DYNAMODB, { mode: 'servfail' });
    advance(601);
    await expect(cache.resolve(DYNAMODB)).rejects.toMatchObject({ code: 'ESERVFAIL' });
  });

  it('treats "no such name" as an answer, not a failure to paper over', async () => {
    dns.answer(DYNAMODB, { a: ['10.0.2.7'], ttl: 60 });
    const { cache, advance } = setup(dns);
    await cache.resolve(DYNAMODB);
    dns.answer(DYNAMODB, { mode: 'nxdomain' });
    advance(61);
    expect((await cache.resolve(DYNAMODB)).addresses).toEqual([]);
    await expect(new Promise((resolve, reject) => cache.lookup(DYNAMODB, {}, (e, a) => (e ? reject(e) : resolve(a))))).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  describe('for a host marked private', () => {
    it('never lets a public answer replace the private one, and raises an alert', async () => {
      dns.answer(BEDROCK, { a: ['10.0.1.5'], ttl: 60 });
      const { cache, advance, alerts, registry, log } = setup(dns, { privateHosts: new Map([[BEDROCK, []]]) });
      await cache.resolve(BEDROCK);
      // The private hosted zone fails and the resolver falls back to the public answer.
      dns.answer(BEDROCK, { a: ['52.119.160.10'], ttl: 60 });
      advance(61);
      expect(await cache.resolve(BEDROCK)).toMatchObject({
        source: 'query',
        keptPrivate: true,
        addresses: [{ address: '10.0.1.5' }],
      });
      // Cache hits keep serving the private address too.
      expect(await cache.resolve(BEDROCK)).toMatchObject({ source: 'cache', keptPrivate: true, addresses: [{ address: '10.0.1.5' }] });
      expect(alerts).toEqual([
        expect.objectContaining({ kind: 'public-answer-refused', host: BEDROCK, kept: ['10.0.1.5'], offered: ['52.119.160.10'] }),
      ]);
      expect(alerts[0]!.message).toBe(
        `DNS for ${BEDROCK} offers public 52.119.160.10 instead of its VPC endpoint; still using private 10.0.1.5 ` +
          "(check the VPC resolver and the endpoint's private DNS)",
      );
      expect(log.entries.filter((e) => e.level === 'error')).toHaveLength(1);
      expect(await registry.metrics()).toContain(`dns_private_replaced_refused_total{host="${BEDROCK}"} 1`);

      // Back to a private answer: it is used, and the alert state ends.
      dns.answer(BEDROCK, { a: ['10.0.1.6'], ttl: 60 });
      advance(61);
      expect(await cache.resolve(BEDROCK)).toMatchObject({ keptPrivate: false, addresses: [{ address: '10.0.1.6' }] });
      expect(log.messages()).toContain(`DNS for ${BEDROCK} answers private again`);
    });

    it('keeps only the private addresses of a mixed answer', async () => {
      dns.answer(BEDROCK, { a: ['10.0.1.5', '52.119.160.10'], ttl: 60 });
      const { cache, alerts } = setup(dns, { privateHosts: (host) => host.startsWith('bedrock-runtime.') });
      expect((await cache.resolve(BEDROCK)).addresses.map((a) => a.address)).toEqual(['10.0.1.5']);
      expect(alerts.map((a) => a.kind)).toEqual(['public-addresses-dropped']);
    });

    it('uses a public answer it has no private one to replace with, and says traffic goes through NAT', async () => {
      dns.answer(BEDROCK, { a: ['52.119.160.10'], ttl: 60 });
      const { cache, alerts } = setup(dns, { privateHosts: new Map([[BEDROCK, []]]) });
      expect((await cache.resolve(BEDROCK)).addresses.map((a) => a.address)).toEqual(['52.119.160.10']);
      expect(alerts).toEqual([expect.objectContaining({ kind: 'public-answer-without-private' })]);
      expect(alerts[0]!.message).toContain('traffic goes through the NAT gateway, not the VPC endpoint');
      expect(cache.stats().privateRefused).toBe(0);
    });

    it('counts the expected CIDRs of the host as private', async () => {
      dns.answer(BEDROCK, { a: ['127.0.0.1'], ttl: 60 });
      const { cache, alerts } = setup(dns, { privateHosts: new Map([[BEDROCK, ['127.0.0.1/32']]]) });
      await cache.resolve(BEDROCK);
      expect(alerts).toEqual([]);
    });
  });

  describe('outgoing HTTP through agents using the cache', () => {
    let server: http.Server;
    let port = 0;
    let served = 0;
    beforeEach(async () => {
      served = 0;
      server = http.createServer((_req, res) => {
        served += 1;
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterEach(() => new Promise((resolve) => server.close(resolve)));

    const get = (host: string, agent: http.Agent) =>
      new Promise<string>((resolve, reject) => {
        const req = http.get({ host, port, path: '/', agent, timeout: 2000 }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.on('timeout', () => req.destroy(new Error('timeout')));
      });

    it('keeps working for more than 60 s on cached answers after the DNS server is stopped', async () => {
      dns.answer(BEDROCK, { a: ['127.0.0.1'], ttl: 60 });
      const { cache, advance, registry } = setup(dns, { privateHosts: new Map([[BEDROCK, ['127.0.0.0/8']]]) });
      // No keep-alive: every request opens a connection and so looks the name up.
      const agent = cache.agents({ keepAlive: false }).http;
      expect(await get(BEDROCK, agent)).toBe('ok');
      expect(aQueries(dns, BEDROCK)).toBe(1);

      await dns.stop();
      for (const seconds of [30, 29.9, 0.2, 15, 15, 30, 30, 30]) {
        advance(seconds);
        expect(await get(BEDROCK, agent)).toBe('ok');
      }
      // 180 s on the clock after the resolver went away, one real request at each step.
      expect(served).toBe(9);
      const stats = cache.stats();
      expect(stats).toMatchObject({ misses: 1, hits: 2 });
      expect(stats.staleServed).toBeGreaterThanOrEqual(6);
      expect(stats.resolverFailures).toBeGreaterThanOrEqual(3);
      expect(await registry.metrics()).toMatch(/dns_cache_resolver_failures_total\{host="bedrock-runtime[^}]*\} [3-9]/);
    });

    it('keeps connecting to the private address when the resolver turns to another one', async () => {
      // 127.0.0.1 stands for the VPC endpoint (marked private for this host); 127.0.0.2 for the public
      // address the fallback resolver gives. The server listens on 127.0.0.1 only.
      dns.answer(BEDROCK, { a: ['127.0.0.1'], ttl: 60 });
      const { cache, advance, alerts } = setup(dns, { privateHosts: new Map([[BEDROCK, ['127.0.0.1/32']]]) });
      const agent = cache.agents({ keepAlive: false }).http;
      expect(await get(BEDROCK, agent)).toBe('ok');
      dns.answer(BEDROCK, { a: ['127.0.0.2'], ttl: 60 });
      advance(61);
      expect(await get(BEDROCK, agent)).toBe('ok');
      expect(alerts.map((a) => a.kind)).toEqual(['public-answer-refused']);
      // Without the mark the new address would be used, and nothing listens there.
      const unmarked = setup(dns).cache.agents({ keepAlive: false }).http;
      await expect(get(BEDROCK, unmarked)).rejects.toMatchObject({ code: 'ECONNREFUSED', address: '127.0.0.2' });
    });

    it('gives keep-alive agents by default', () => {
      const { cache } = setup(dns);
      const agents = cache.agents({ maxSockets: 10 });
      expect((agents.http as http.Agent & { keepAlive?: boolean }).keepAlive).toBe(true);
      expect(agents.https.maxSockets).toBe(10);
    });
  });
});
