import type { EndpointResult, HealthReport } from '@manga-assist/contracts';

const cell = (ms: number | null | undefined, max: number | null, failed: boolean) => {
  if (failed) return 'FAIL';
  if (ms === null || ms === undefined) return '-';
  return max === null ? ms.toFixed(1) : `${ms.toFixed(1)}/${max}`;
};

function row(r: EndpointResult): string[] {
  const { expected } = r;
  const privateCell = r.allPrivate === null ? '-' : r.allPrivate ? 'yes' : 'NO';
  const margin = r.baselineMarginMs === null ? '-' : `${r.baselineMarginMs >= 0 ? '+' : ''}${r.baselineMarginMs.toFixed(1)}`;
  return [
    r.endpoint,
    r.status,
    r.dns.source === 'literal' ? 'literal' : cell(r.dns.ms, expected.dnsMs, r.dns.error !== null),
    cell(r.tcp?.ms, expected.connectMs, Boolean(r.tcp?.error)),
    cell(r.tls?.ms, expected.tlsMs, Boolean(r.tls?.error)),
    cell(r.http?.ms, expected.httpMs, Boolean(r.http?.error)),
    expected.expectPrivate ? privateCell : 'n/a',
    r.address ?? '-',
    margin,
  ];
}

/**
 * The report as text, like the seeds' checker prints it: one line per endpoint with each phase's
 * time against its maximum (ms), whether the addresses are private (n/a where not required), the
 * margin to the NAT baseline, then the notes (or "All checks passed").
 */
export function formatReport(report: HealthReport): string {
  const header = ['ENDPOINT', 'STATUS', 'DNS', 'CONNECT', 'TLS', 'HTTP', 'PRIVATE', 'ADDRESS', 'NAT MARGIN'];
  const rows = report.endpoints.map(row);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const where = [report.mode, report.region, report.az ? `AZ ${report.az}` : null].filter(Boolean).join(' ');
  const out = [
    `MangaAssist endpoint health (${where}) at ${report.generatedAt}, round ${report.round}`,
    `times in ms as measured/expected maximum; NAT MARGIN = NAT baseline - (DNS + connect)`,
    '',
    line(header),
    ...rows.map(line),
    '',
    ...report.endpoints.map((r) => `${r.endpoint}: ${r.notes.length > 0 ? r.notes.join('; ') : 'All checks passed'}`),
    '',
    `${report.counts.healthy} healthy, ${report.counts.degraded} degraded, ${report.counts.unhealthy} unhealthy: overall ${report.status}`,
  ];
  return `${out.join('\n')}\n`;
}
