import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthReport } from '@manga-assist/contracts';
import { createDnsCache } from '@manga-assist/dns-cache';
import { Registry } from '@manga-assist/telemetry';
import { createTestLogger, waitFor } from '@manga-assist/testing';
import { applyEndpointInput, createHostResolver, createProbeRunner, fetchAvailabilityZone, formatReport } from '../src';
import { startTcpServer, startWebServer } from './support/local-servers';
import { startTestDnsServer } from '@manga-assist/testing';
import type { TestDnsServer } from '@manga-assist/testing';

const BEDROCK = 'bedrock-runtime.ap-northeast-1.amazonaws.com';
const GATEWAY = 'gateway.manga-assist.test';
const ROOMY = { dnsMs: 100, connectMs: 100, tlsMs: 300, httpMs: 300 };

function promtool(text: string) {
  return spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
}

describe('probe runner', () => {
  let dns: TestDnsServer;
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await dns.stop();
    for (const close of closers.splice(0)) await close();
  });

  it('probes every endpoint each round, keeps history, logs and counts transitions, and exports valid metrics', async () => {
    dns = await startTestDnsServer();
    // 127.0.0.1 stands for the VPC endpoint's address, 127.0.0.2 for the public one; both listen.
    const vpc = await startTcpServer({ host: '127.0.0.1' });
    closers.push(vpc.close);
    const viaNat = await startTcpServer({ host: '127.0.0.2', port: vpc.port });
    closers.push(viaNat.close);
    const gateway = await startWebServer();
    closers.push(gateway.close);
    dns.answer(BEDROCK, { a: ['127.0.0.1'], ttl: 60 });
    dns.answer(GATEWAY, { a: ['127.0.0.1'], ttl: 60 });

    const endpoints = [
      applyEndpointInput({ name: 'bedrock-runtime', host: BEDROCK, port: vpc.port, expectPrivate: true, privateCidrs: ['127.0.0.1/32'], expected: ROOMY, natBaselineMs: 200 }),
      applyEndpointInput({ name: 'chat-gateway', host: GATEWAY, port: gateway.port, http: { path: '/healthz', expectStatus: [200] }, expected: ROOMY }),
    ];
    const log = createTestLogger();
    const registry = new Registry();
    let clock = Date.now();
    const dnsCache = createDnsCache({
      servers: [dns.address],
      systemFallback: false,
      privateHosts: new Map(endpoints.filter((e) => e.expectPrivate).map((e) => [e.host, e.privateCidrs])),
      log,
      registry,
      now: () => clock,
    });
    const reports: HealthReport[] = [];
    const runner = createProbeRunner({
      endpoints,
      resolver: createHostResolver({ servers: [dns.address], timeoutMs: 500 }),
      mode: 'aws',
      region: 'ap-northeast-1',
      az: 'ap-northeast-1a',
      intervalMs: 60_000,
      timeoutMs: 1000,
      certWarnDays: 14,
      historySize: 10,
      dnsCache,
      log,
      registry,
      onReport: (report) => void reports.push(report),
    });

    expect(runner.firstRoundDone()).toBe(false);
    expect(runner.latest()).toBeNull();
    const [first, joined] = await Promise.all([runner.runOnce(), runner.runOnce()]);
    expect(joined).toBe(first);
    expect(first).toMatchObject({ round: 1, status: 'healthy', counts: { healthy: 2, degraded: 0, unhealthy: 0 }, az: 'ap-northeast-1a' });
    expect(runner.firstRoundDone()).toBe(true);
    expect(log.messages()).toEqual(expect.arrayContaining(['bedrock-runtime is healthy', 'chat-gateway is healthy']));

    // The private hosted zone fails over to public answers (the seeds' scenario 1).
    dns.answer(BEDROCK, { a: ['127.0.0.2'], ttl: 60 });
    clock += 61_000;
    const second = await runner.runOnce();
    const bedrock = second.endpoints[0]!;
    expect(bedrock.dns.addresses).toEqual([{ address: '127.0.0.2', family: 4, private: false, range: 'loopback' }]);
    expect(bedrock.notes[0]).toBe(
      `${BEDROCK} resolved to 127.0.0.2 (loopback), not a private VPC endpoint address: traffic goes through the NAT gateway; ` +
        "check the endpoint's private DNS and the resolver in this AZ",
    );
    expect(bedrock.dnsCache).toEqual({ addresses: ['127.0.0.1'], source: 'query', keptPrivate: true, error: null });
    expect(bedrock.notes).toContain("the apps' DNS cache refuses the public answer and keeps using 127.0.0.1");
    expect(bedrock.status).toBe('degraded');
    expect(second).toMatchObject({ status: 'degraded', counts: { healthy: 1, degraded: 1, unhealthy: 0 } });
    expect(log.entries.some((e) => e.level === 'warn' && e.msg?.startsWith('bedrock-runtime went from healthy to degraded: '))).toBe(true);

    const history = runner.history({ endpoint: 'bedrock-runtime', limit: 5 })!;
    expect(history.results.map((r) => r.status)).toEqual(['degraded', 'healthy']);
    expect(history.transitions.map((t) => [t.from, t.to])).toEqual([
      ['healthy', 'degraded'],
      [null, 'healthy'],
    ]);
    expect(runner.history({ endpoint: 'nope', limit: 5 })).toBeNull();
    expect(reports.map((r) => r.round)).toEqual([1, 2]);
    expect(formatReport(second)).toContain('bedrock-runtime: ');

    const text = await registry.metrics();
    expect(text).toContain(`probe_status_transitions_total{endpoint="bedrock-runtime",from="healthy",to="degraded"} 1`);
    expect(text).toContain('probe_ip_private{endpoint="bedrock-runtime"} 0');
    expect(text).toContain('probe_success{endpoint="chat-gateway"} 1');
    expect(text).toContain('probe_http_status_code{endpoint="chat-gateway"} 200');
    expect(text).toMatch(/probe_http_duration_seconds\{endpoint="chat-gateway",phase="processing"\} \d/);
    expect(text).toMatch(/probe_tcp_connect_duration_seconds\{endpoint="bedrock-runtime"\} \d/);
    expect(text).toContain(`dns_private_replaced_refused_total{host="${BEDROCK}"} 1`);
    const check = promtool(text);
    expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({ status: 0, output: '' });
  });

  it('runs rounds on its interval until stopped', async () => {
    dns = await startTestDnsServer();
    const server = await startTcpServer();
    closers.push(server.close);
    const log = createTestLogger();
    const runner = createProbeRunner({
      endpoints: [applyEndpointInput({ name: 'redis', host: '127.0.0.1', port: server.port, expected: ROOMY })],
      resolver: createHostResolver({ servers: 'system', timeoutMs: 500 }),
      mode: 'local',
      region: null,
      az: null,
      intervalMs: 20,
      timeoutMs: 500,
      certWarnDays: 14,
      historySize: 5,
      log,
    });
    runner.start();
    await waitFor(() => (runner.latest()?.round ?? 0) >= 6, { timeoutMs: 10_000, description: 'six rounds' });
    await runner.stop();
    const rounds = runner.latest()!.round;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(runner.latest()!.round).toBe(rounds);
    // The ring keeps the newest five of them.
    expect(runner.history({ endpoint: 'redis', limit: 100 })!.results).toHaveLength(5);
  });
});

describe('availability zone label', () => {
  it('is read from the ECS task metadata endpoint', async () => {
    const server = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/v4/abc/task' ? JSON.stringify({ Cluster: 'manga-assist-prod', AvailabilityZone: 'ap-northeast-1c' }) : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await fetchAvailabilityZone({ metadataUri: `${base}/v4/abc` })).toBe('ap-northeast-1c');
      expect(await fetchAvailabilityZone({ metadataUri: `${base}/v4/other` })).toBeNull();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
