import { EndpointHistorySchema, HealthReportSchema, HistoryQuerySchema } from './health.schema';

const result = {
  endpoint: 'bedrock-runtime',
  host: 'bedrock-runtime.ap-northeast-1.amazonaws.com',
  port: 443,
  status: 'degraded',
  notes: ['DNS resolution slow: 7.0 ms (expected < 5 ms)'],
  checkedAt: '2025-06-01T05:00:00.000Z',
  az: 'ap-northeast-1a',
  durationMs: 20.5,
  dns: { ms: 7, source: 'resolver', ttlSeconds: 60, addresses: [{ address: '10.0.1.5', family: 4, private: true, range: 'rfc1918' }], error: null },
  address: '10.0.1.5',
  allPrivate: true,
  tcp: { ms: 2, error: null },
  tls: null,
  http: null,
  networkMs: 9,
  baselineMarginMs: 36,
  expected: { dnsMs: 5, connectMs: 10, tlsMs: 35, httpMs: null, natBaselineMs: 45, expectPrivate: true },
  dnsCache: null,
};

describe('health report contract', () => {
  it('accepts a report and a history as the health checker sends them', () => {
    const report = {
      generatedAt: '2025-06-01T05:00:00.000Z',
      mode: 'aws',
      region: 'ap-northeast-1',
      az: 'ap-northeast-1a',
      round: 3,
      status: 'degraded',
      counts: { healthy: 0, degraded: 1, unhealthy: 0 },
      endpoints: [result],
    };
    expect(HealthReportSchema.parse(report)).toEqual(report);
    const history = {
      endpoint: 'bedrock-runtime',
      capacity: 120,
      results: [result],
      transitions: [{ endpoint: 'bedrock-runtime', at: result.checkedAt, from: 'healthy', to: 'degraded', notes: result.notes }],
    };
    expect(EndpointHistorySchema.parse(history)).toEqual(history);
  });

  it('rejects an unknown status or address range, and bounds history queries', () => {
    expect(HealthReportSchema.safeParse({ ...result, status: 'fine' }).success).toBe(false);
    expect(HistoryQuerySchema.parse({ endpoint: 's3' })).toEqual({ endpoint: 's3', limit: 20 });
    expect(HistoryQuerySchema.safeParse({ endpoint: 's3', limit: 5000 }).success).toBe(false);
  });
});
