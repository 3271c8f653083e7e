import type net from 'node:net';
import type { EndpointResult } from '@manga-assist/contracts';
import { createAddressClassifier } from '@manga-assist/dns-cache';
import type { CachedAnswer } from '@manga-assist/dns-cache';
import type { HostResolver } from './dns-phase';
import type { EndpointSpec } from './endpoint-spec';
import { evaluateProbe } from './evaluate-probe';
import type { Measured } from './evaluate-probe';
import { requestHttp } from './http-phase';
import { PhaseError } from './phase-error';
import { connectTcp } from './tcp-phase';
import { handshakeTls } from './tls-phase';

/** What the apps' DNS cache answers for a host (see @manga-assist/dns-cache). */
export interface DnsCacheView {
  resolve(host: string): Promise<CachedAnswer>;
}

export interface ProbeContext {
  resolver: HostResolver;
  /** Deadline of each of the connect, TLS and HTTP phases. */
  timeoutMs: number;
  certWarnDays: number;
  az: string | null;
  dnsCache?: DnsCacheView | null;
  now?: () => Date;
}

const DAY_MS = 86_400_000;
const round2 = (ms: number) => Math.round(ms * 100) / 100;
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Probes one endpoint phase by phase (DNS, TCP connect, TLS, HTTP) and judges the result. */
export async function probeEndpoint(spec: EndpointSpec, context: ProbeContext): Promise<EndpointResult> {
  const now = context.now ?? (() => new Date());
  const checkedAt = now();
  const started = performance.now();
  const classify = createAddressClassifier(spec.privateCidrs);
  const sockets: net.Socket[] = [];

  const result: Measured = {
    endpoint: spec.name,
    host: spec.host,
    port: spec.port,
    checkedAt: checkedAt.toISOString(),
    az: context.az,
    durationMs: 0,
    dns: { ms: null, source: 'resolver', ttlSeconds: null, addresses: [], error: null },
    address: null,
    allPrivate: null,
    tcp: null,
    tls: null,
    http: null,
    networkMs: null,
    baselineMarginMs: null,
    expected: { ...spec.expected, natBaselineMs: spec.natBaselineMs, expectPrivate: spec.expectPrivate },
    dnsCache: null,
  };

  try {
    try {
      const answer = await context.resolver.resolve(spec.host);
      result.dns = { ms: answer.ms, source: answer.source, ttlSeconds: answer.ttlSeconds, addresses: answer.addresses.map((a) => classify(a.address)), error: null };
      result.address = answer.addresses[0]?.address ?? null;
      result.allPrivate = result.dns.addresses.every((a) => a.private);
    } catch (error) {
      result.dns = { ...result.dns, ms: error instanceof PhaseError ? error.ms : null, error: message(error) };
    }

    if (result.address !== null && !spec.dnsOnly) {
      let socket: net.Socket | null = null;
      try {
        const connected = await connectTcp({ address: result.address, port: spec.port, timeoutMs: context.timeoutMs });
        socket = connected.socket;
        sockets.push(socket);
        result.tcp = { ms: connected.ms, error: null };
        result.networkMs = round2((result.dns.ms ?? 0) + connected.ms);
        if (spec.natBaselineMs !== null) result.baselineMarginMs = round2(spec.natBaselineMs - result.networkMs);
      } catch (error) {
        result.tcp = { ms: error instanceof PhaseError ? error.ms : null, error: message(error) };
      }

      if (socket && spec.tls) {
        const serverName = spec.tls.serverName ?? spec.host;
        try {
          const handshake = await handshakeTls({ socket, serverName, ca: spec.tls.ca, timeoutMs: context.timeoutMs });
          socket = handshake.socket;
          sockets.push(socket);
          result.tls = {
            ms: handshake.ms,
            protocol: handshake.protocol,
            serverName: handshake.serverName,
            authorized: handshake.authorized,
            authorizationError: handshake.authorizationError,
            certSubject: handshake.certSubject,
            certNotAfter: handshake.certNotAfter?.toISOString() ?? null,
            certDaysLeft: handshake.certNotAfter ? Math.round(((handshake.certNotAfter.getTime() - checkedAt.getTime()) / DAY_MS) * 100) / 100 : null,
            error: null,
          };
        } catch (error) {
          socket = null;
          result.tls = {
            ms: error instanceof PhaseError ? error.ms : null,
            protocol: null,
            serverName,
            authorized: null,
            authorizationError: null,
            certSubject: null,
            certNotAfter: null,
            certDaysLeft: null,
            error: message(error),
          };
        }
      }

      if (socket && spec.http) {
        try {
          const response = await requestHttp({ socket, host: spec.host, port: spec.port, path: spec.http.path, timeoutMs: context.timeoutMs });
          result.http = { path: spec.http.path, ms: response.ms, statusCode: response.statusCode, error: null };
        } catch (error) {
          result.http = { path: spec.http.path, ms: error instanceof PhaseError ? error.ms : null, statusCode: null, error: message(error) };
        }
      }
    }

    if (context.dnsCache && result.dns.source !== 'literal') {
      try {
        const cached = await context.dnsCache.resolve(spec.host);
        result.dnsCache = { addresses: cached.addresses.map((a) => a.address), source: cached.source, keptPrivate: cached.keptPrivate, error: null };
      } catch (error) {
        result.dnsCache = { addresses: [], source: 'query', keptPrivate: false, error: message(error) };
      }
    }
  } finally {
    // Outermost first: destroying the TCP socket under a live TLS socket can crash Node 20.
    for (const socket of sockets.reverse()) socket.destroy();
  }

  result.durationMs = round2(performance.now() - started);
  return { ...result, ...evaluateProbe(result, spec, { certWarnDays: context.certWarnDays }) };
}
