import { evaluateProbe, worstStatus } from './evaluate-probe';
import { sampleMeasurement } from './test-results';

const HOST = 'bedrock-runtime.ap-northeast-1.amazonaws.com';
const judge = (change: (m: ReturnType<typeof sampleMeasurement>['measured']) => void, input = {}) => {
  const { spec, measured } = sampleMeasurement(input);
  change(measured);
  return evaluateProbe(measured, spec, { certWarnDays: 14 });
};

describe('judging a probe', () => {
  it('passes an endpoint within every limit', () => {
    expect(judge(() => undefined)).toEqual({ status: 'healthy', notes: [] });
  });

  it('degrades on each phase slower than its maximum, naming the figures', () => {
    const result = judge((m) => {
      m.dns.ms = 7.25;
      m.tcp = { ms: 12, error: null };
      m.tls!.ms = 40;
    });
    expect(result).toEqual({
      status: 'degraded',
      notes: [
        'DNS resolution slow: 7.3 ms (expected < 5 ms)',
        'TCP connect slow: 12.0 ms (expected < 10 ms)',
        'TLS handshake slow: 40.0 ms (expected < 35 ms)',
      ],
    });
  });

  it('is unhealthy when DNS + connect is slower than through the NAT gateway', () => {
    const result = judge((m) => {
      m.dns.ms = 3;
      m.tcp = { ms: 50, error: null };
      m.networkMs = 53;
      m.baselineMarginMs = -8;
    });
    expect(result.status).toBe('unhealthy');
    expect(result.notes).toContain(
      "network path 53.0 ms (DNS + connect) exceeds the NAT gateway baseline 45 ms: the VPC endpoint is probably not in use; check the route table and the endpoint's private DNS",
    );
  });

  it('does not require private addresses from a gateway endpoint', () => {
    const result = judge(
      (m) => {
        m.dns.addresses = [{ address: '52.94.0.10', family: 4, private: false, range: 'public' }];
        m.allPrivate = false;
      },
      { expectPrivate: false },
    );
    expect(result.status).toBe('healthy');
  });

  it('judges the certificate: expired is unhealthy, close to expiry degraded, untrusted unhealthy unless not verified', () => {
    expect(
      judge((m) => {
        m.tls!.certDaysLeft = -0.5;
        m.tls!.certNotAfter = '2025-05-31T17:00:00.000Z';
      }).notes,
    ).toEqual([`TLS certificate of ${HOST} expired on 2025-05-31T17:00:00.000Z`]);
    expect(judge((m) => void (m.tls!.certDaysLeft = 13.96)).notes[0]).toMatch(/expires in 14\.0 days \(2025-09-01T00:00:00.000Z\): renew it/);
    const untrusted = (m: ReturnType<typeof sampleMeasurement>['measured']) => {
      m.tls!.authorized = false;
      m.tls!.authorizationError = 'CERT_HAS_EXPIRED';
    };
    expect(judge(untrusted).status).toBe('unhealthy');
    expect(judge(untrusted, { tls: { verify: false } }).status).toBe('healthy');
  });

  it('fails on a failed phase, with what to look at', () => {
    expect(judge((m) => (m.tcp = { ms: 2000, error: 'TCP connect to 10.0.1.5:443 timed out after 2000 ms' })).notes).toEqual([
      'TCP connect to 10.0.1.5:443 timed out after 2000.0 ms: check security groups, network ACLs and the route table',
    ]);
    expect(judge((m) => (m.tls = { ...m.tls!, error: `TLS handshake with ${HOST} failed: ECONNRESET` })).notes).toEqual([
      `TLS handshake with ${HOST} failed: ECONNRESET; check the endpoint's certificate and TLS settings`,
    ]);
  });

  it('holds an HTTP answer to the expected statuses, or below 500 by default', () => {
    const http = (statusCode: number) => (m: ReturnType<typeof sampleMeasurement>['measured']) =>
      void (m.http = { path: '/', ms: 3, statusCode, error: null });
    expect(judge(http(403), { http: true }).status).toBe('healthy');
    expect(judge(http(502), { http: true }).notes).toEqual(['HTTP GET / answered 502 (expected below 500)']);
    expect(judge(http(204), { http: { path: '/', expectStatus: [200, 204] } }).status).toBe('healthy');
  });

  it('adds what the apps’ DNS cache is doing about it', () => {
    const result = judge((m) => {
      m.dns.addresses = [{ address: '52.119.160.10', family: 4, private: false, range: 'public' }];
      m.allPrivate = false;
      m.dnsCache = { addresses: ['10.0.1.5'], source: 'cache', keptPrivate: true, error: null };
    });
    expect(result.status).toBe('degraded');
    expect(result.notes[1]).toBe("the apps' DNS cache refuses the public answer and keeps using 10.0.1.5");
  });

  it('takes the worst status', () => {
    expect(worstStatus([])).toBe('healthy');
    expect(worstStatus(['healthy', 'unhealthy', 'degraded'])).toBe('unhealthy');
  });
});
