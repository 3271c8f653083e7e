// Runs Debian's prometheus-blackbox-exporter and this project's probes against the same local
// endpoints (a DNS server and an HTTPS server on 127.0.0.1 with known, induced delays) and prints
// their DNS, connect, TLS and HTTP figures side by side, median of several rounds.
//   npx nx run health-checker:compare-blackbox      (or: tsx --tsconfig tools/tsconfig.json tools/health/compare-blackbox.ts)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { loadConfig, positiveInt } from '@manga-assist/config';
import type { EndpointResult } from '@manga-assist/contracts';
import { applyEndpointInput, createHostResolver, probeEndpoint } from '@manga-assist/probes';
import { startLocalEndpoints } from './local-endpoints';
import type { LocalEndpoints } from './local-endpoints';
import { parsePrometheusText, sampleValue } from './prometheus-text';
import type { Sample } from './prometheus-text';

const HOST = 'bedrock-runtime.ap-northeast-1.amazonaws.com';
const DELAYS = { dnsMs: 20, tlsMs: 30, httpMs: 15 };
const CERT_DAYS = 3;

const settings = loadConfig(
  z.object({
    BLACKBOX_EXPORTER: z.string().min(1).default('prometheus-blackbox-exporter'),
    COMPARE_ROUNDS: positiveInt(7),
  }),
);

const say = (line = '') => process.stdout.write(`${line}\n`);

function findExecutable(name: string): string | null {
  if (name.includes('/')) return fs.existsSync(name) ? name : null;
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function blackboxConfig(endpoints: LocalEndpoints): string {
  const tlsConfig = `      tls_config:\n        ca_file: ${endpoints.caFile}\n        server_name: ${HOST}\n`;
  return [
    'modules:',
    '  dns_a:',
    '    prober: dns',
    '    timeout: 5s',
    '    dns:',
    '      transport_protocol: udp',
    '      preferred_ip_protocol: ip4',
    '      ip_protocol_fallback: false',
    `      query_name: ${HOST}`,
    '      query_type: A',
    '  tcp_tls:',
    '    prober: tcp',
    '    timeout: 5s',
    '    tcp:',
    '      preferred_ip_protocol: ip4',
    '      tls: true',
    tlsConfig.trimEnd(),
    '  https_get:',
    '    prober: http',
    '    timeout: 5s',
    '    http:',
    '      preferred_ip_protocol: ip4',
    '      valid_status_codes: [200]',
    tlsConfig.trimEnd(),
    '',
  ].join('\n');
}

async function scrape(base: string, module: string, target: string): Promise<Sample[]> {
  const response = await fetch(`${base}/probe?module=${module}&target=${encodeURIComponent(target)}`);
  const samples = parsePrometheusText(await response.text());
  if (sampleValue(samples, 'probe_success') !== 1) throw new Error(`blackbox_exporter module ${module} failed against ${target}`);
  return samples;
}

const median = (values: (number | null)[]): number | null => {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const ms = (seconds: number | null) => (seconds === null ? null : seconds * 1000);
const show = (value: number | null, unit = 'ms') => (value === null ? 'n/a' : `${value.toFixed(unit === 'd' ? 2 : 1)} ${unit}`);

async function main() {
  const binary = findExecutable(settings.BLACKBOX_EXPORTER);
  if (!binary) {
    process.stderr.write(
      `compare-blackbox: ${settings.BLACKBOX_EXPORTER} is not installed, so there is nothing to compare with.\n` +
        '  Install it with: apt-get install prometheus-blackbox-exporter (Debian), or set BLACKBOX_EXPORTER to its path.\n',
    );
    process.exit(3);
  }

  const endpoints = await startLocalEndpoints({ host: HOST, certDays: CERT_DAYS, delays: DELAYS });
  const configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'blackbox-')), 'blackbox.yml');
  fs.writeFileSync(configFile, blackboxConfig(endpoints));
  const listen = `127.0.0.1:${await freePort()}`;
  const exporter = spawn(binary, [`--config.file=${configFile}`, `--web.listen-address=${listen}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let exporterLog = '';
  exporter.stderr.on('data', (chunk) => (exporterLog += chunk));
  const base = `http://${listen}`;
  const resolver = createHostResolver({ servers: [endpoints.dnsServer], timeoutMs: 2000 });

  try {
    for (let attempt = 0; ; attempt += 1) {
      if (exporter.exitCode !== null) throw new Error(`blackbox_exporter exited: ${exporterLog}`);
      if ((await fetch(`${base}/metrics`).catch(() => null))?.ok) break;
      if (attempt > 100) throw new Error(`blackbox_exporter did not start: ${exporterLog}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const spec = applyEndpointInput({
      name: 'bedrock-runtime',
      host: HOST,
      port: endpoints.httpsPort,
      tls: { ca: fs.readFileSync(endpoints.caFile, 'utf8') },
      http: { path: '/', expectStatus: [200] },
      expectPrivate: true,
      // Loopback stands in for the VPC here.
      privateCidrs: ['127.0.0.0/8'],
      expected: { dnsMs: 5, connectMs: 10, tlsMs: 35, httpMs: 100 },
      natBaselineMs: 45,
    });
    const rounds: { dns: Sample[]; tcp: Sample[]; http: Sample[]; ours: EndpointResult }[] = [];
    // One round of each first, not counted: cold starts are not what is compared.
    await scrape(base, 'https_get', `https://127.0.0.1:${endpoints.httpsPort}/`);
    await probeEndpoint(spec, { resolver, timeoutMs: 5000, certWarnDays: 14, az: null });
    for (let i = 0; i < settings.COMPARE_ROUNDS; i += 1) {
      rounds.push({
        dns: await scrape(base, 'dns_a', endpoints.dnsServer),
        tcp: await scrape(base, 'tcp_tls', `127.0.0.1:${endpoints.httpsPort}`),
        http: await scrape(base, 'https_get', `https://127.0.0.1:${endpoints.httpsPort}/`),
        ours: await probeEndpoint(spec, { resolver, timeoutMs: 5000, certWarnDays: 14, az: null }),
      });
    }

    const bb = (pick: (r: (typeof rounds)[number]) => number | null) => median(rounds.map(pick));
    const phase = (samples: Sample[], name: string, p: string) => ms(sampleValue(samples, name, { phase: p }));
    const ours = (pick: (r: EndpointResult) => number | null | undefined) => median(rounds.map((r) => pick(r.ours) ?? null));
    const now = Date.now() / 1000;
    const [first] = rounds;
    const last = rounds.at(-1)?.ours;
    if (!first || !last) throw new Error('COMPARE_ROUNDS must be at least 1');
    const certDays = (samples: Sample[]) => {
      const expiry = sampleValue(samples, 'probe_ssl_earliest_cert_expiry');
      return expiry === null ? null : (expiry - now) / 86400;
    };

    const rows: [string, string, string, string][] = [
      ['DNS resolution', `${DELAYS.dnsMs} ms`, `${show(bb((r) => phase(r.dns, 'probe_dns_duration_seconds', 'request')))} (dns module, phase request)`, show(ours((r) => r.dns.ms))],
      ['TCP connect', '-', `${show(bb((r) => phase(r.http, 'probe_http_duration_seconds', 'connect')))} (http module only; tcp module: none)`, show(ours((r) => r.tcp?.ms))],
      ['TLS handshake', `${DELAYS.tlsMs} ms`, `${show(bb((r) => phase(r.http, 'probe_http_duration_seconds', 'tls')))} (http module only; tcp module: none)`, show(ours((r) => r.tls?.ms))],
      ['HTTP response', `${DELAYS.httpMs} ms`, `${show(bb((r) => phase(r.http, 'probe_http_duration_seconds', 'processing')))} (http, phase processing)`, show(ours((r) => r.http?.ms))],
      ['tcp+TLS probe total', '-', `${show(bb((r) => ms(sampleValue(r.tcp, 'probe_duration_seconds'))))} (tcp module: one figure)`, show(ours((r) => (r.tcp?.ms ?? 0) + (r.tls?.ms ?? 0)))],
      [
        'cert days left',
        `${CERT_DAYS} d`,
        `${show(bb((r) => certDays(r.tcp)), 'd')} (probe_ssl_earliest_cert_expiry)`,
        show(last.tls?.certDaysLeft ?? null, 'd'),
      ],
      ['TLS version', '-', first.tcp.find((s) => s.name === 'probe_tls_version_info')?.labels['version'] ?? 'n/a', last.tls?.protocol ?? 'n/a'],
      ['private address?', '-', 'n/a', `${last.allPrivate ? 'yes' : 'no'} (${last.dns.addresses.map((a) => `${a.address} ${a.range}`).join(', ')})`],
      ['NAT baseline margin', '-', 'n/a', `${show(ours((r) => r.baselineMarginMs))} (baseline 45 ms)`],
      ['verdict', '-', `probe_success ${sampleValue(first.tcp, 'probe_success')}`, `${last.status}: ${last.notes.join('; ') || 'All checks passed'}`],
    ];

    const header = ['figure', 'induced', 'blackbox_exporter', 'health checker'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
    const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c)).join('  ');
    say(`blackbox_exporter (${binary}) vs the health checker's probes, ${settings.COMPARE_ROUNDS} rounds each, medians`);
    say(`endpoints: DNS ${endpoints.dnsServer} answering ${HOST} -> 127.0.0.1; HTTPS 127.0.0.1:${endpoints.httpsPort}, self-signed certificate for ${CERT_DAYS} days`);
    say();
    say(line(header));
    for (const row of rows) say(line(row));
    say();
    say('blackbox_exporter resolves HTTP/TCP targets through the system resolver only, so its DNS figure comes from its dns module;');
    say('its tcp module reports one duration for connect + TLS, and it has no private-address check or baseline comparison.');
  } finally {
    exporter.kill('SIGTERM');
    resolver.cancel();
    await endpoints.close();
    fs.rmSync(path.dirname(configFile), { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`compare-blackbox: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
