import type { HealthReport } from '@manga-assist/contracts';
import { formatReport } from './format-report';
import { sampleResult } from './test-results';

describe('the text report', () => {
  it('prints one line per endpoint against its maxima, then the notes and the overall status', () => {
    const healthy = sampleResult();
    const degraded = sampleResult({
      endpoint: 'opensearch',
      host: 'manga-assist-collection.ap-northeast-1.aoss.amazonaws.com',
      status: 'degraded',
      notes: ['manga-assist-collection.ap-northeast-1.aoss.amazonaws.com resolved to 52.0.0.1, not a private VPC endpoint address'],
      address: '52.0.0.1',
      allPrivate: false,
      baselineMarginMs: -3.25,
      tls: null,
      http: { path: '/', ms: 20, statusCode: 403, error: null },
    });
    const report: HealthReport = {
      generatedAt: '2025-06-01T05:00:00.000Z',
      mode: 'aws',
      region: 'ap-northeast-1',
      az: 'ap-northeast-1a',
      round: 4,
      status: 'degraded',
      counts: { healthy: 1, degraded: 1, unhealthy: 0 },
      endpoints: [healthy, degraded],
    };
    expect(formatReport(report)).toBe(
      [
        'MangaAssist endpoint health (aws ap-northeast-1 AZ ap-northeast-1a) at 2025-06-01T05:00:00.000Z, round 4',
        'times in ms as measured/expected maximum; NAT MARGIN = NAT baseline - (DNS + connect)',
        '',
        'ENDPOINT         STATUS      DNS  CONNECT     TLS  HTTP  PRIVATE  ADDRESS   NAT MARGIN',
        'bedrock-runtime  healthy   1.2/5   2.3/10  8.4/35     -  yes      10.0.1.5  +41.5',
        'opensearch       degraded  1.2/5   2.3/10       -  20.0  NO       52.0.0.1  -3.3',
        '',
        'bedrock-runtime: All checks passed',
        'opensearch: manga-assist-collection.ap-northeast-1.aoss.amazonaws.com resolved to 52.0.0.1, not a private VPC endpoint address',
        '',
        '1 healthy, 1 degraded, 0 unhealthy: overall degraded',
        '',
      ].join('\n'),
    );
  });
});
