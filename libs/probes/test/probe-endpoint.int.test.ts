import type { EndpointResult } from '@manga-assist/contracts';
import { applyEndpointInput, createHostResolver, probeEndpoint } from '../src';
import type { EndpointInput, HostResolver } from '../src';
import { closedPort, makeCertificate, startTcpServer, startWebServer } from './support/local-servers';
import type { Certificate } from './support/local-servers';
import { startTestDnsServer } from '@manga-assist/testing';
import type { TestDnsServer } from '@manga-assist/testing';

// Names resolve only through the test's DNS server. Connections go to 127.0.0.x only; the 10.x and
// public answers are checked with DNS-only probes, which open no connection.
const BEDROCK = 'bedrock-runtime.ap-northeast-1.amazonaws.com';
const LOOPBACK_AS_VPC = ['127.0.0.0/24'];
// Allowed on top of an induced delay, in ms: the phase's own work (quiet: 1-3 ms for DNS and HTTP,
// 3-4 ms for TLS) plus scheduling noise. Noise only ever adds time, so delays are judged on the
// fastest of a few probes.
const SLACK = 15;
const TRIES = 3;
// Maxima no phase on loopback reaches, for cases about something else.
const ROOMY = { dnsMs: 100, connectMs: 100, tlsMs: 300, httpMs: 300 };

describe('probing an endpoint against local servers', () => {
  let dns: TestDnsServer;
  let resolver: HostResolver;
  let fresh: Certificate;
  let expiring: Certificate;
  const closers: (() => Promise<void>)[] = [];

  const probe = (input: Omit<EndpointInput, 'name'> & { name?: string }, timeoutMs = 1000) =>
    probeEndpoint(applyEndpointInput({ name: 'bedrock-runtime', host: BEDROCK, ...input }), {
      resolver,
      timeoutMs,
      certWarnDays: 14,
      az: 'ap-northeast-1a',
    });

  beforeAll(async () => {
    [fresh, expiring] = await Promise.all([
      makeCertificate({ commonName: BEDROCK, days: 90 }),
      makeCertificate({ commonName: BEDROCK, days: 3 }),
    ]);
  });
  beforeEach(async () => {
    dns = await startTestDnsServer();
    resolver = createHostResolver({ servers: [dns.address], timeoutMs: 300 });
    // Warm the resolver and the server so the first measured query is not a cold start.
    dns.answer('warm-up.test', { a: ['127.0.0.1'] });
    await resolver.resolve('warm-up.test');
  });
  afterEach(async () => {
    resolver.cancel();
    await dns.stop();
    for (const close of closers.splice(0)) await close();
  });

  /** The fastest of a few probes by the phase `pick` measures. */
  async function fastest(pick: (r: EndpointResult) => number | null | undefined, run: () => Promise<EndpointResult>) {
    const results: EndpointResult[] = [];
    for (let i = 0; i < TRIES; i += 1) results.push(await run());
    return results.reduce((best, r) => ((pick(r) ?? Infinity) < (pick(best) ?? Infinity) ? r : best));
  }

  async function web(options: Parameters<typeof startWebServer>[0] = {}) {
    const server = await startWebServer(options);
    closers.push(server.close);
    return server;
  }

  it('finds a private, fast, trusted endpoint healthy and times every phase', async () => {
    const server = await web({ certificate: fresh });
    dns.answer(BEDROCK, { a: ['127.0.0.1'], ttl: 60 });
    const result = await probe({
      port: server.port,
      tls: { ca: fresh.cert },
      http: { path: '/' },
      expectPrivate: true,
      privateCidrs: LOOPBACK_AS_VPC,
      expected: ROOMY,
      natBaselineMs: 100,
    });
    expect(result).toMatchObject({
      status: 'healthy',
      notes: [],
      address: '127.0.0.1',
      allPrivate: true,
      az: 'ap-northeast-1a',
      dns: { source: 'resolver', ttlSeconds: 60, addresses: [{ address: '127.0.0.1', private: true, range: 'expected' }], error: null },
      tcp: { error: null },
      tls: { protocol: 'TLSv1.3', serverName: BEDROCK, authorized: true, certSubject: BEDROCK, error: null },
      http: { statusCode: 200, error: null },
    });
    expect(result.tls!.certDaysLeft).toBeGreaterThan(89);
    expect(result.networkMs).toBeCloseTo(result.dns.ms! + result.tcp!.ms!, 1);
    expect(result.baselineMarginMs).toBeCloseTo(100 - result.networkMs!, 1);
  });

  it('measures an induced DNS delay and calls the resolution slow', async () => {
    const server = await startTcpServer();
    closers.push(server.close);
    dns.answer(BEDROCK, { a: ['127.0.0.1'], delayMs: 40 });
    const result = await fastest((r) => r.dns.ms, () => probe({ port: server.port, expected: { ...ROOMY, dnsMs: 5 } }));
    expect(result.dns.ms).toBeGreaterThanOrEqual(39);
    expect(result.dns.ms).toBeLessThan(40 + SLACK);
    expect(result.status).toBe('degraded');
    expect(result.notes).toEqual([`DNS resolution slow: ${result.dns.ms!.toFixed(1)} ms (expected < 5 ms)`]);
  });

  it('gives up on a DNS server that does not answer, after the timeout', async () => {
    dns.answer(BEDROCK, { mode: 'drop' });
    const result = await probe({ port: 443 });
    expect(result.status).toBe('unhealthy');
    expect(result.dns.ms).toBeGreaterThanOrEqual(299);
    // One deadline, not worth waiting for three times: a looser bound.
    expect(result.dns.ms).toBeLessThan(300 + 3 * SLACK);
    expect(result.tcp).toBeNull();
    expect(result.notes).toEqual([
      `DNS resolution of ${BEDROCK} timed out after ${result.dns.ms!.toFixed(1)} ms: check the VPC resolver (Route 53 Resolver) in this AZ`,
    ]);
  });

  it('names a failing resolver and a name that does not exist', async () => {
    dns.answer(BEDROCK, { mode: 'servfail' });
    expect((await probe({ port: 443 })).notes[0]).toMatch(new RegExp(`^DNS resolution of ${BEDROCK} failed \\(ESERVFAIL\\) after`));
    dns.answer(BEDROCK, { mode: 'nxdomain' });
    expect((await probe({ port: 443 })).notes).toEqual([
      `${BEDROCK} does not resolve (no A or AAAA record): check the endpoint's name and its private DNS`,
    ]);
  });

  it('classifies the resolved addresses: private VPC endpoint, public through NAT, both', async () => {
    const dnsOnly = { port: 443, dnsOnly: true, expectPrivate: true, expected: ROOMY } as const;
    dns.answer(BEDROCK, { a: ['10.0.1.5'], aaaa: ['fd00:ec2::5'] });
    const vpc = await probe(dnsOnly);
    expect(vpc).toMatchObject({ status: 'healthy', allPrivate: true, tcp: null });
    expect(vpc.dns.addresses.map((a) => a.range)).toEqual(['rfc1918', 'unique-local']);

    dns.answer(BEDROCK, { a: ['52.119.160.10'] });
    const nat = await probe(dnsOnly);
    expect(nat).toMatchObject({ status: 'degraded', allPrivate: false, tcp: null });
    expect(nat.notes).toEqual([
      `${BEDROCK} resolved to 52.119.160.10, not a private VPC endpoint address: traffic goes through the NAT gateway; ` +
        "check the endpoint's private DNS and the resolver in this AZ",
    ]);

    dns.answer(BEDROCK, { a: ['100.64.3.4', '52.119.160.10'] });
    const mixed = await probe(dnsOnly);
    expect(mixed.status).toBe('degraded');
    expect(mixed.notes[0]).toBe(
      `${BEDROCK} resolved to private 100.64.3.4 but also 52.119.160.10: connections to those go through the NAT gateway`,
    );
  });

  it('connects to what the resolver gave and says when it is not the VPC endpoint', async () => {
    // 127.0.0.0/24 stands for the VPC; the resolver turning to 127.0.1.1 is the public fallback.
    const server = await startTcpServer({ host: '127.0.1.1' });
    closers.push(server.close);
    dns.answer(BEDROCK, { a: ['127.0.1.1'] });
    const result = await probe({ port: server.port, expectPrivate: true, privateCidrs: LOOPBACK_AS_VPC, expected: ROOMY });
    expect(result).toMatchObject({ status: 'degraded', address: '127.0.1.1', allPrivate: false, tcp: { error: null } });
    expect(result.notes[0]).toContain(`${BEDROCK} resolved to 127.0.1.1 (loopback), not a private VPC endpoint address`);
  });

  it('warns about a certificate close to expiry, naming the days left', async () => {
    const server = await web({ certificate: expiring });
    dns.answer(BEDROCK, { a: ['127.0.0.1'] });
    const result = await probe({ port: server.port, tls: { ca: expiring.cert }, expected: ROOMY });
    expect(result.status).toBe('degraded');
    expect(result.tls!.certDaysLeft).toBeGreaterThan(2.9);
    expect(result.tls!.certDaysLeft).toBeLessThanOrEqual(3);
    expect(result.notes).toEqual([
      `TLS certificate of ${BEDROCK} expires in ${result.tls!.certDaysLeft!.toFixed(1)} days (${result.tls!.certNotAfter}): ` +
        'renew it (warning window 14 days)',
    ]);
  });

  it('refuses an untrusted certificate unless told not to verify it', async () => {
    const server = await web({ certificate: fresh });
    dns.answer(BEDROCK, { a: ['127.0.0.1'] });
    const untrusted = await probe({ port: server.port, tls: true, expected: ROOMY });
    expect(untrusted.status).toBe('unhealthy');
    expect(untrusted.tls).toMatchObject({ authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(untrusted.notes).toEqual([
      `TLS certificate of ${BEDROCK} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): clients will refuse the connection`,
    ]);
    const unverified = await probe({ port: server.port, tls: { verify: false }, expected: ROOMY });
    expect(unverified.status).toBe('healthy');
  });

  it('measures an induced TLS handshake delay and an induced response delay', async () => {
    const server = await web({ certificate: fresh });
    server.behaviour.handshakeDelayMs = 60;
    server.behaviour.delayMs = 30;
    dns.answer(BEDROCK, { a: ['127.0.0.1'] });
    const run = () => probe({ port: server.port, tls: { ca: fresh.cert }, http: { path: '/' }, expected: { ...ROOMY, tlsMs: 35 } });
    const result = await fastest((r) => r.tls?.ms, run);
    expect(result.tls!.ms).toBeGreaterThanOrEqual(60);
    expect(result.tls!.ms).toBeLessThan(60 + SLACK);
    const http = (await fastest((r) => r.http?.ms, run)).http!.ms!;
    expect(http).toBeGreaterThanOrEqual(29);
    expect(http).toBeLessThan(30 + SLACK);
    expect(result.status).toBe('degraded');
    expect(result.notes).toEqual([`TLS handshake slow: ${result.tls!.ms!.toFixed(1)} ms (expected < 35 ms)`]);
  });

  it('calls an endpoint slower than the NAT baseline unhealthy, with the margin', async () => {
    const server = await startTcpServer();
    closers.push(server.close);
    dns.answer(BEDROCK, { a: ['127.0.0.1'], delayMs: 30 });
    const result = await fastest((r) => r.networkMs, () => probe({ port: server.port, expected: ROOMY, natBaselineMs: 20 }));
    expect(result.status).toBe('unhealthy');
    expect(result.baselineMarginMs!).toBeLessThan(-10);
    expect(result.baselineMarginMs!).toBeGreaterThan(-10 - SLACK);
    expect(result.notes).toEqual([
      `network path ${result.networkMs!.toFixed(1)} ms (DNS + connect) exceeds the NAT gateway baseline 20 ms: ` +
        "the VPC endpoint is probably not in use; check the route table and the endpoint's private DNS",
    ]);
  });

  it('reports a refused connection and a failing HTTP check', async () => {
    dns.answer(BEDROCK, { a: ['127.0.0.1'] });
    const port = await closedPort();
    const refused = await probe({ port, expected: ROOMY });
    expect(refused.status).toBe('unhealthy');
    expect(refused.notes).toEqual([
      `TCP connect to 127.0.0.1:${port} failed (ECONNREFUSED): nothing accepts connections there; check the endpoint and its security group`,
    ]);

    const server = await web();
    server.behaviour.status = 503;
    const failing = await probe({ port: server.port, http: { path: '/healthz', expectStatus: [200] }, expected: ROOMY });
    expect(failing).toMatchObject({ status: 'unhealthy', http: { statusCode: 503 }, notes: ['HTTP GET /healthz answered 503 (expected 200)'] });
  });

  it('times out on a server that accepts and never answers', async () => {
    const server = await startTcpServer();
    closers.push(server.close);
    dns.answer(BEDROCK, { a: ['127.0.0.1'] });
    const result = await probe({ port: server.port, http: { path: '/' }, expected: ROOMY }, 150);
    expect(result.status).toBe('unhealthy');
    expect(result.http!.ms).toBeGreaterThanOrEqual(149);
    expect(result.notes).toEqual([`HTTP GET / timed out after 150 ms; the service behind ${BEDROCK} does not answer`]);
  });

  it('skips DNS for an address literal', async () => {
    const server = await startTcpServer();
    closers.push(server.close);
    const result = await probe({ host: '127.0.0.1', port: server.port, expected: ROOMY });
    expect(result).toMatchObject({ status: 'healthy', dns: { source: 'literal', ms: 0 }, address: '127.0.0.1' });
  });
});
