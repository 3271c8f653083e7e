import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import Fastify from 'fastify';
import { HealthReportSchema } from '@manga-assist/contracts';
import type { HealthReport } from '@manga-assist/contracts';
import { createHealthCheckerRouter, serveRpc } from '@manga-assist/rpc';
import { freePort } from '@manga-assist/testing';

// Each run starts tsx afresh (a second or two).
jest.setTimeout(30_000);

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function runReport(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, ['--tsconfig', 'tools/tsconfig.json', 'tools/health/report.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('npm run health:report', () => {
  const servers: net.Server[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    const redis = net.createServer(() => undefined);
    const web = http.createServer((req, res) => {
      res.statusCode = req.url === '/healthz' || req.url === '/' ? 200 : 404;
      res.end('ok');
    });
    servers.push(redis, web);
    const [redisPort, webPort] = [await listen(redis), await listen(web)];
    env = {
      HEALTH_MODE: 'local',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${webPort}`,
      KINESIS_ENDPOINT: `http://127.0.0.1:${webPort}`,
      GATEWAY_URL: `http://127.0.0.1:${webPort}`,
      // Room for a busy test machine: these runs are about the exit status, not speed.
      HEALTH_ENDPOINTS: JSON.stringify(['redis', 'dynamodb', 'kinesis', 'chat-gateway'].map((name) => ({ name, expected: { connectMs: 500, httpMs: 1000 } }))),
    };
  });
  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  it('prints the report as JSON and exits 0 when nothing is unhealthy', async () => {
    const { code, stdout } = await runReport(['--json'], env);
    expect(code).toBe(0);
    const report = HealthReportSchema.parse(JSON.parse(stdout));
    expect(report).toMatchObject({ mode: 'local', status: 'healthy', counts: { healthy: 4 } });
  });

  it('exits 1 when an endpoint is unhealthy, saying which and why', async () => {
    const { code, stdout } = await runReport([], { ...env, KINESIS_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^kinesis: TCP connect to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)/m);
    expect(stdout).toContain('3 healthy, 0 degraded, 1 unhealthy: overall unhealthy');
  });

  it('can fail on degraded too', async () => {
    const slowLimits = JSON.stringify([{ name: 'chat-gateway', expected: { connectMs: 500, httpMs: 0.001 } }]);
    const { code, stdout } = await runReport(['--fail-on', 'degraded'], { ...env, HEALTH_ENDPOINTS: slowLimits });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^chat-gateway: HTTP response slow: [\d.]+ ms \(expected < 0\.001 ms\)$/m);
  });

  it('stops with a readable message on bad settings or options', async () => {
    const bad = await runReport([], { ...env, HEALTH_ENDPOINTS: '[{"name":"search"}]' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('HEALTH_ENDPOINTS endpoint "search" is not a default one, so it needs "host" and "port"');
    const option = await runReport(['--fail-on', 'sometimes'], env);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('--fail-on must be unhealthy or degraded');
  });

  it('prints a running health checker’s latest report with --from', async () => {
    const stored: HealthReport = {
      generatedAt: '2025-06-01T05:00:00.000Z',
      mode: 'aws',
      region: 'ap-northeast-1',
      az: 'ap-northeast-1c',
      round: 12,
      status: 'healthy',
      counts: { healthy: 0, degraded: 0, unhealthy: 0 },
      endpoints: [],
    };
    const server = Fastify();
    await serveRpc(
      server,
      createHealthCheckerRouter({
        status: () => {
          throw new Error('not used');
        },
        setLogLevel: () => undefined,
        report: () => stored,
        history: () => null,
        probeNow: async () => stored,
      }),
      'control-token-for-tests-0123456789',
    );
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { code, stdout } = await runReport(['--from', url], {});
      expect(code).toBe(0);
      expect(stdout).toContain('MangaAssist endpoint health (aws ap-northeast-1 AZ ap-northeast-1c) at 2025-06-01T05:00:00.000Z, round 12');
    } finally {
      await server.close();
    }
    const gone = await runReport(['--from', url], {});
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`no answer from the health checker at ${url}`);
  });
});
