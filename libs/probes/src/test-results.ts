import type { EndpointResult } from '@manga-assist/contracts';
import { applyEndpointInput } from './endpoint-spec';
import type { EndpointInput, EndpointSpec } from './endpoint-spec';
import type { Measured } from './evaluate-probe';

/** A spec and a measured probe of it where every phase passed quickly, for tests to alter. */
export function sampleMeasurement(input: Partial<EndpointInput> = {}): { spec: EndpointSpec; measured: Measured } {
  const spec = applyEndpointInput({
    name: 'bedrock-runtime',
    host: 'bedrock-runtime.ap-northeast-1.amazonaws.com',
    port: 443,
    tls: true,
    expectPrivate: true,
    expected: { dnsMs: 5, connectMs: 10, tlsMs: 35 },
    natBaselineMs: 45,
    ...input,
  });
  const measured: Measured = {
    endpoint: spec.name,
    host: spec.host,
    port: spec.port,
    checkedAt: '2025-06-01T05:00:00.000Z',
    az: 'ap-northeast-1a',
    durationMs: 12.5,
    dns: { ms: 1.2, source: 'resolver', ttlSeconds: 60, addresses: [{ address: '10.0.1.5', family: 4, private: true, range: 'rfc1918' }], error: null },
    address: '10.0.1.5',
    allPrivate: true,
    tcp: { ms: 2.3, error: null },
    tls: {
      ms: 8.4,
      protocol: 'TLSv1.3',
      serverName: spec.host,
      authorized: true,
      authorizationError: null,
      certSubject: spec.host,
      certNotAfter: '2025-09-01T00:00:00.000Z',
      certDaysLeft: 91.79,
      error: null,
    },
    http: null,
    networkMs: 3.5,
    baselineMarginMs: 41.5,
    expected: { ...spec.expected, natBaselineMs: spec.natBaselineMs, expectPrivate: spec.expectPrivate },
    dnsCache: null,
  };
  return { spec, measured };
}

export function sampleResult(overrides: Partial<EndpointResult> = {}): EndpointResult {
  return { ...sampleMeasurement().measured, status: 'healthy', notes: [], ...overrides };
}
