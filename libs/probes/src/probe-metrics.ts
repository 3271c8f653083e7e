import type { EndpointResult, StatusTransition } from '@manga-assist/contracts';
import { Counter, Gauge } from '@manga-assist/telemetry';
import type { Registry } from '@manga-assist/telemetry';

export interface ProbeMetrics {
  observe(result: EndpointResult): void;
  transition(transition: StatusTransition): void;
}

const STATUSES = ['healthy', 'degraded', 'unhealthy'] as const;
const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : ms / 1000);

/**
 * Per-endpoint series named like blackbox_exporter's where the meaning is the same (probe_success,
 * probe_duration_seconds, probe_dns_lookup_time_seconds, probe_http_duration_seconds{phase},
 * probe_http_status_code, probe_ssl_earliest_cert_expiry, probe_tls_version_info, probe_ip_protocol),
 * plus what it lacks for TCP probes: connect and TLS phase times, the private-address flag, the
 * margin to the NAT baseline and the verdict.
 */
export function createProbeMetrics(registry: Registry): ProbeMetrics {
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames: ['endpoint', ...labelNames], registers: [registry] });

  const success = gauge('probe_success', 'Whether the endpoint is usable (not unhealthy).');
  const duration = gauge('probe_duration_seconds', 'How long the whole probe took.');
  const dns = gauge('probe_dns_lookup_time_seconds', 'DNS resolution time, queried fresh (not from a cache).');
  const ipProtocol = gauge('probe_ip_protocol', 'IP version of the address connected to (4 or 6).');
  const httpPhases = gauge('probe_http_duration_seconds', 'Duration of each phase of an HTTP probe.', ['phase']);
  const httpStatus = gauge('probe_http_status_code', 'HTTP status of the response.');
  const certExpiry = gauge('probe_ssl_earliest_cert_expiry', 'Expiry of the server certificate, in unixtime.');
  const tlsVersion = gauge('probe_tls_version_info', 'TLS version negotiated.', ['version']);
  const connect = gauge('probe_tcp_connect_duration_seconds', 'TCP connect time (SYN to established).');
  const tlsHandshake = gauge('probe_tls_handshake_duration_seconds', 'TLS handshake time on an established connection.');
  const ipPrivate = gauge('probe_ip_private', 'Whether every resolved address is private (a VPC endpoint address).');
  const margin = gauge(
    'probe_baseline_margin_seconds',
    'NAT gateway baseline minus the measured network path (DNS + connect); negative is slower than NAT.',
  );
  const status = gauge('probe_health_status', 'The verdict on the endpoint: 1 for its current status, 0 for the others.', ['status']);
  const transitions = new Counter({
    name: 'probe_status_transitions_total',
    help: 'Changes of an endpoint status.',
    labelNames: ['endpoint', 'from', 'to'],
    registers: [registry],
  });

  const setOrRemove = (metric: Gauge<string>, labels: Record<string, string>, value: number | null) => {
    if (value === null) metric.remove(labels);
    else metric.set(labels, value);
  };

  return {
    observe(result) {
      const endpoint = result.endpoint;
      const labels = { endpoint };
      success.set(labels, result.status === 'unhealthy' ? 0 : 1);
      duration.set(labels, result.durationMs / 1000);
      setOrRemove(dns, labels, result.dns.error === null ? seconds(result.dns.ms) : null);
      const family = result.dns.addresses.find((a) => a.address === result.address)?.family ?? null;
      setOrRemove(ipProtocol, labels, family);
      setOrRemove(connect, labels, result.tcp?.error === null ? seconds(result.tcp.ms) : null);
      setOrRemove(tlsHandshake, labels, result.tls?.error === null ? seconds(result.tls.ms) : null);
      setOrRemove(certExpiry, labels, result.tls?.certNotAfter ? Date.parse(result.tls.certNotAfter) / 1000 : null);
      for (const version of ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']) tlsVersion.remove({ endpoint, version });
      if (result.tls?.protocol) tlsVersion.set({ endpoint, version: result.tls.protocol }, 1);
      setOrRemove(ipPrivate, labels, result.allPrivate === null ? null : result.allPrivate ? 1 : 0);
      setOrRemove(margin, labels, seconds(result.baselineMarginMs));
      setOrRemove(httpStatus, labels, result.http?.statusCode ?? null);
      const httpProbe = result.http !== null;
      const phases: [string, number | null][] = [
        ['resolve', result.dns.ms],
        ['connect', result.tcp?.ms ?? null],
        ['tls', result.tls?.ms ?? null],
        ['processing', result.http?.error === null ? result.http.ms : null],
      ];
      for (const [phase, ms] of phases) setOrRemove(httpPhases, { endpoint, phase }, httpProbe ? seconds(ms) : null);
      for (const s of STATUSES) status.set({ endpoint, status: s }, s === result.status ? 1 : 0);
    },
    transition(transition) {
      if (transition.from !== null) transitions.inc({ endpoint: transition.endpoint, from: transition.from, to: transition.to });
    },
  };
}
