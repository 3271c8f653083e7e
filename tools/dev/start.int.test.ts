// `npm start` as a user runs it: the whole system from one command, every app ready, readiness that
// follows Redis down and back, valid metrics, and Ctrl-C that stops only what it started.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { OpsStatus, ServiceStatus } from '@manga-assist/contracts';
import { freePort, spawnProcess, waitFor } from '@manga-assist/testing';
import type { SpawnedProcess } from '@manga-assist/testing';
import { exposedNames, metricsReadByRules, readRules } from '../ops/alert-rules';
import { startPrometheus } from '../ops/prometheus';
import type { RunningPrometheus } from '../ops/prometheus';

const ROOT = path.resolve(__dirname, '../..');
jest.setTimeout(240_000);

const isListening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

function startRedis(port: number): SpawnedProcess {
  return spawnProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
}

async function readyz(port: number): Promise<{ code: number; body: ServiceStatus }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
  return { code: res.status, body: (await res.json()) as ServiceStatus };
}

describe('npm start', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'manga-assist-start-'));
  let redis: SpawnedProcess;
  let start: SpawnedProcess;
  let prometheus: RunningPrometheus | undefined;
  const ports: Record<string, number> = {};
  let appPorts: number[] = [];

  beforeAll(async () => {
    for (const name of ['REDIS', 'DYNAMODB_PORT', 'KINESIS_PORT', 'S3_PORT', 'GATEWAY_PORT', 'SCHEDULER_PORT', 'POST_PROCESSOR_PORT', 'HEALTH_CHECKER_PORT']) {
      ports[name] = await freePort();
    }
    appPorts = [ports['GATEWAY_PORT']!, ports['SCHEDULER_PORT']!, ports['POST_PROCESSOR_PORT']!, ports['HEALTH_CHECKER_PORT']!];
    // A private Redis, so this test may stop it without touching the machine's shared one.
    redis = startRedis(ports['REDIS']!);
    await waitFor(() => isListening(ports['REDIS']!), { timeoutMs: 10_000, description: 'private redis' });

    start = spawnProcess(path.join(ROOT, 'node_modules/.bin/tsx'), ['--tsconfig', 'tools/tsconfig.json', 'tools/dev/start.ts'], {
      cwd: ROOT,
      env: {
        DATA_DIR: dataDir,
        REDIS_URL: `redis://127.0.0.1:${ports['REDIS']}`,
        SKIP_BUILD: 'true',
        LOG_FORMAT: 'json',
        TABLE_PREFIX: `t${process.pid}-`,
        ...Object.fromEntries(Object.entries(ports).filter(([k]) => k !== 'REDIS').map(([k, v]) => [k, String(v)])),
      },
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    if (start?.child.exitCode === null) await start.stop('SIGKILL');
    await redis?.stop('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // On a quiet machine a first start (catalog import, vector index build) is ready in about 40 s
  // and later starts in about 10 s; CI runs this beside other suites on two cores, so it waits longer.
  it('prints one ready summary with every app ready', async () => {
    await start.waitForOutput(/MangaAssist edge is ready \((\d+\.\d) s\)/, 150_000);
    const summary = start.output().slice(start.output().indexOf('MangaAssist edge is ready'));
    for (const app of ['chat-gateway', 'prefetch-scheduler', 'post-processor', 'health-checker']) {
      expect(summary).toMatch(new RegExp(`${app}\\s+http://127\\.0\\.0\\.1:\\d+\\s+ready`));
    }
    expect(summary).toContain(`ws://127.0.0.1:${ports['GATEWAY_PORT']}/ws`);
    expect(summary).toMatch(new RegExp(`chat page\\s+http://127\\.0\\.0\\.1:${ports['GATEWAY_PORT']}/\\n`));
    expect(summary).toMatch(new RegExp(`ops page\\s+http://127\\.0\\.0\\.1:${ports['GATEWAY_PORT']}/ops `));
  });

  it('serves the chat page and the ops page', async () => {
    for (const page of ['/', '/ops']) {
      const res = await fetch(`http://127.0.0.1:${ports['GATEWAY_PORT']}${page}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="app"></div>');
    }
  });

  it('reports all four apps ready at /v1/ops/status', async () => {
    const statusUrl = `http://127.0.0.1:${ports['GATEWAY_PORT']}/v1/ops/status`;
    // Operations only: without the control token npm start made, the status is refused.
    expect((await fetch(statusUrl)).status).toBe(401);
    const controlToken = fs.readFileSync(path.join(dataDir, 'control-token'), 'utf8').trim();
    const res = await fetch(statusUrl, { headers: { authorization: `Bearer ${controlToken}` } });
    const ops = (await res.json()) as OpsStatus;
    expect(ops.ready).toBe(true);
    expect(ops.apps.map((a) => [a.app, a.status?.ready])).toEqual([
      ['chat-gateway', true],
      ['prefetch-scheduler', true],
      ['post-processor', true],
      ['health-checker', true],
    ]);
  });

  it('serves /metrics that promtool accepts, on every app', async () => {
    for (const port of appPorts) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toContain('manga_assist_ready');
      // promtool exits non-zero and names the problem when the exposition is invalid.
      execFileSync('promtool', ['check', 'metrics'], { input: text });
    }
  });

  it('exports every metric the alert rules in ops/prometheus read', async () => {
    const exposed = new Set<string>();
    for (const port of appPorts) {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      for (const name of exposedNames(text)) exposed.add(name);
    }
    const read = metricsReadByRules();
    expect(read.length).toBeGreaterThan(15);
    expect(read.filter((name) => !exposed.has(name))).toEqual([]);
  });

  it("an operator's Prometheus scrapes the four apps and evaluates every rule on their real series, without error", async () => {
    const [gatewayPort, schedulerPort, postProcessorPort, healthCheckerPort] = appPorts as [number, number, number, number];
    prometheus = await startPrometheus({
      'chat-gateway': gatewayPort,
      'prefetch-scheduler': schedulerPort,
      'post-processor': postProcessorPort,
      'health-checker': healthCheckerPort,
    });
    const p = prometheus;
    await waitFor(async () => (await p.query('up == 1')).length === 4, { timeoutMs: 20_000, intervalMs: 250, description: 'four targets up' });
    // Signed in the way the chat page does under npm start: a token from the local issuer.
    const signedIn = await fetch(`http://127.0.0.1:${gatewayPort}/v1/auth/local-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'u-start' }),
    });
    const { access_token: token } = (await signedIn.json()) as { access_token: string };
    const chat = async () => {
      const answered = await fetch(`http://127.0.0.1:${gatewayPort}/v1/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ text: '今週の人気マンガは？' }),
      });
      expect(answered.status).toBe(200);
    };
    // A counter's first sample is not an increase to rate(): chat once, let it be scraped, chat again.
    await chat();
    await waitFor(async () => (await p.query('manga_assist_chat_requests_total')).length > 0, {
      timeoutMs: 20_000,
      intervalMs: 250,
      description: 'the request counter scraped',
    });
    await chat();

    // The recorded series come out of real data: the chats above, answered, no errors (NaN, which
    // `>= 0` filters out, while the rate has nothing to divide by).
    const ratio = await waitFor(async () => (await p.query('manga_assist:chat_error_ratio:rate2m >= 0'))[0], {
      timeoutMs: 20_000,
      intervalMs: 250,
      description: 'the chat error ratio recorded',
    });
    expect(Number(ratio.value[1])).toBe(0);
    // The budget alert compares two gauges one to one: their real label sets must match.
    expect((await p.query('manga_assist_segment_p95_seconds and manga_assist_segment_budget_seconds')).length).toBeGreaterThan(5);

    // Every rule has been evaluated against the real series, and none failed (a many-to-many match,
    // a bad function argument, … only show here).
    const rules = await waitFor(
      async () => {
        const all = await p.rules();
        return all.every((r) => !r.lastEvaluation.startsWith('0001-')) ? all : null;
      },
      { timeoutMs: 20_000, intervalMs: 250, description: 'every rule evaluated' },
    );
    expect(rules).toHaveLength(readRules().length);
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
    // Nothing fires on a healthy system. Start-up may leave alerts pending, which their `for`
    // clears: the first two chats' p95 over budget, or the gateway unhealthy in the health-checker's
    // first probe round (run before the gateway was up; it looks again 5 s later).
    const firing = (await p.alerts()).filter((a) => a.state === 'firing');
    expect(firing.map((a) => JSON.stringify(a.labels))).toEqual([]);
  });

  it('reports Redis down on every app (the gateway still answers, degraded; the others 503), and recovers on its own', async () => {
    await redis.stop('SIGKILL');
    try {
      for (const port of appPorts) {
        const gateway = port === appPorts[0];
        const down = await waitFor(
          async () => {
            const r = await readyz(port);
            if (gateway) return r.code === 200 && (r.body.degraded ?? []).some((d: string) => d.startsWith('redis: ')) ? r : null;
            return r.code === 503 ? r : null;
          },
          { timeoutMs: 10_000, description: gateway ? `redis listed as degraded by :${port}` : `503 from :${port}` },
        );
        if (!gateway) expect(down.body.reason).toMatch(/^redis: /);
      }
      // The operator's Prometheus sees it too: each app's Redis check failing, the alert pending.
      const p = prometheus;
      if (!p) throw new Error('no Prometheus: the test before this one did not start it');
      const apps = await waitFor(
        async () => {
          const pending = (await p.alerts()).filter((a) => a.labels['alertname'] === 'MangaAssistDependencyDown' && a.labels['dependency'] === 'redis');
          return pending.length === 4 ? pending.map((a) => `${a.labels['app']} ${a.state}`).sort() : null;
        },
        { timeoutMs: 10_000, intervalMs: 250, description: 'MangaAssistDependencyDown pending for redis on four apps' },
      );
      expect(apps).toEqual(['chat-gateway pending', 'health-checker pending', 'post-processor pending', 'prefetch-scheduler pending']);
    } finally {
      redis = startRedis(ports['REDIS']!);
    }
    for (const port of appPorts) {
      await waitFor(async () => {
        const r = await readyz(port);
        return r.code === 200 && (r.body.degraded ?? []).length === 0;
      }, { timeoutMs: 15_000, description: `200 without degradation from :${port}` });
    }
  });

  it('stops everything it started on Ctrl-C, and nothing else', async () => {
    const exit = await start.stop('SIGINT', { killAfterMs: 30_000 });
    // 0 from our handler, or 130 (128 + SIGINT) when the wrapper reports the interrupt; never a kill.
    expect(exit.signal).toBeNull();
    expect([0, 130]).toContain(exit.code);
    for (const port of [...appPorts, ports['DYNAMODB_PORT']!, ports['KINESIS_PORT']!, ports['S3_PORT']!]) {
      expect(await isListening(port)).toBe(false);
    }
    // The Redis it was given (not started by it) is still running.
    expect(await isListening(ports['REDIS']!)).toBe(true);
  });
});

describe('an app given a bad variable', () => {
  it('stops at start with a message naming the variable', () => {
    const run = () =>
      execFileSync(process.execPath, [path.join(ROOT, 'dist/apps/chat-gateway/main.js')], {
        env: { ...process.env, GATEWAY_PORT: 'abc', CONTROL_TOKEN: 'a-valid-control-token-0123' },
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
      });
    let stderr = '';
    let status: number | null = null;
    try {
      run();
    } catch (error) {
      ({ stderr, status } = error as { stderr: string; status: number });
    }
    expect(status).toBe(78);
    expect(stderr).toContain('GATEWAY_PORT must be a TCP port number from 1 to 65535 (got "abc")');
  });
});
