import type { EndpointResult, ProbeStatus, ResolvedAddress } from '@manga-assist/contracts';
import type { EndpointSpec } from './endpoint-spec';

export type Measured = Omit<EndpointResult, 'status' | 'notes'>;

export interface EvaluateOptions {
  /** A certificate expiring within this many days makes the endpoint degraded. */
  certWarnDays: number;
}

const SEVERITY: Record<ProbeStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
export const worstStatus = (statuses: ProbeStatus[]): ProbeStatus =>
  statuses.reduce<ProbeStatus>((worst, s) => (SEVERITY[s] > SEVERITY[worst] ? s : worst), 'healthy');

const fmt = (ms: number) => ms.toFixed(1);
const described = (list: ResolvedAddress[]) => list.map((a) => (a.range === 'public' ? a.address : `${a.address} (${a.range})`)).join(', ');

/**
 * The verdict on one probe, after the seeds' checker: a failed phase is unhealthy; a public address
 * where a VPC endpoint is expected, a phase slower than its maximum or a certificate close to expiry
 * is degraded; a network path (DNS + connect) slower than the NAT gateway baseline is unhealthy.
 * Every note says what was seen and what to look at.
 */
export function evaluateProbe(result: Measured, spec: EndpointSpec, { certWarnDays }: EvaluateOptions): { status: ProbeStatus; notes: string[] } {
  const notes: string[] = [];
  const statuses: ProbeStatus[] = [];
  const flag = (status: ProbeStatus, note: string) => {
    statuses.push(status);
    notes.push(note);
  };
  const { host, expected } = result;
  const { dns, tcp, tls, http } = result;
  const slow = (what: string, ms: number | null, max: number | null) => {
    if (ms !== null && max !== null && ms > max) flag('degraded', `${what} slow: ${fmt(ms)} ms (expected < ${max} ms)`);
  };

  if (dns.error !== null) {
    const after = `${fmt(dns.ms ?? 0)} ms`;
    const resolver = 'check the VPC resolver (Route 53 Resolver) in this AZ';
    if (/ENOTFOUND|found no address/.test(dns.error)) {
      flag('unhealthy', `${host} does not resolve (no A or AAAA record): check the endpoint's name and its private DNS`);
    } else if (/timed out|ETIMEOUT/.test(dns.error)) flag('unhealthy', `DNS resolution of ${host} timed out after ${after}: ${resolver}`);
    else flag('unhealthy', `DNS resolution of ${host} failed (${dns.error.replace(/^.*failed: /, '')}) after ${after}: ${resolver}`);
  } else {
    if (expected.expectPrivate) {
      const outside = dns.addresses.filter((a) => !a.private);
      const inside = dns.addresses.filter((a) => a.private);
      if (outside.length > 0 && inside.length === 0) {
        flag(
          'degraded',
          `${host} resolved to ${described(outside)}, not a private VPC endpoint address: traffic goes through the NAT gateway; ` +
            `check the endpoint's private DNS and the resolver in this AZ`,
        );
      } else if (outside.length > 0) {
        flag(
          'degraded',
          `${host} resolved to private ${inside.map((a) => a.address).join(', ')} but also ${described(outside)}: ` +
            `connections to those go through the NAT gateway`,
        );
      }
    }
    slow('DNS resolution', dns.ms, expected.dnsMs);
  }

  if (tcp?.error) {
    const target = `${result.address}:${result.port}`;
    flag(
      'unhealthy',
      tcp.error.includes('timed out')
        ? `TCP connect to ${target} timed out after ${fmt(tcp.ms ?? 0)} ms: check security groups, network ACLs and the route table`
        : `TCP connect to ${target} failed (${tcp.error.replace(/^.*failed: /, '')}): nothing accepts connections there; ` +
            `check the endpoint and its security group`,
    );
  } else if (tcp) slow('TCP connect', tcp.ms, expected.connectMs);

  if (tls?.error) flag('unhealthy', `${tls.error}; check the endpoint's certificate and TLS settings`);
  else if (tls) {
    if (spec.tls?.verify !== false && tls.authorizationError) {
      flag('unhealthy', `TLS certificate of ${tls.serverName ?? host} is not trusted (${tls.authorizationError}): clients will refuse the connection`);
    }
    if (tls.certDaysLeft !== null && tls.certNotAfter !== null) {
      const days = tls.certDaysLeft.toFixed(1);
      if (tls.certDaysLeft <= 0) flag('unhealthy', `TLS certificate of ${tls.serverName ?? host} expired on ${tls.certNotAfter}`);
      else if (tls.certDaysLeft < certWarnDays) {
        flag(
          'degraded',
          `TLS certificate of ${tls.serverName ?? host} expires in ${days} days (${tls.certNotAfter}): renew it (warning window ${certWarnDays} days)`,
        );
      }
    }
    slow('TLS handshake', tls.ms, expected.tlsMs);
  }

  if (http?.error) flag('unhealthy', `${http.error}; the service behind ${host} does not answer`);
  else if (http && http.statusCode !== null) {
    const wanted = spec.http?.expectStatus ?? null;
    if (wanted ? !wanted.includes(http.statusCode) : http.statusCode >= 500) {
      flag('unhealthy', `HTTP GET ${http.path} answered ${http.statusCode} (expected ${wanted ? wanted.join(' or ') : 'below 500'})`);
    } else slow('HTTP response', http.ms, expected.httpMs);
  }

  if (result.networkMs !== null && expected.natBaselineMs !== null && result.networkMs > expected.natBaselineMs) {
    flag(
      'unhealthy',
      `network path ${fmt(result.networkMs)} ms (DNS + connect) exceeds the NAT gateway baseline ${expected.natBaselineMs} ms: ` +
        `the VPC endpoint is probably not in use; check the route table and the endpoint's private DNS`,
    );
  }

  if (result.dnsCache?.keptPrivate) {
    notes.push(`the apps' DNS cache refuses the public answer and keeps using ${result.dnsCache.addresses.join(', ')}`);
  } else if (result.dnsCache?.source === 'stale') {
    notes.push(`the apps' DNS cache is serving its last good answer (${result.dnsCache.addresses.join(', ')}) while the resolver fails`);
  }

  return { status: worstStatus(statuses), notes };
}
