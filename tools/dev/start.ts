// `npm start`: the local stack (Redis, dynalite, kinesalite, tables, streams, catalog) and the four
// apps, with one summary once all are ready. Ctrl-C stops everything this started and nothing else.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { prettyFactory } from 'pino-pretty';
import { loadRetrieval } from '@manga-assist/retrieval';
import { ConfigError, loadConfig } from '@manga-assist/config';
import type { AppName, OpsStatus } from '@manga-assist/contracts';
import { ensureLocalIssuerKeys } from '@manga-assist/auth';
import { startLocalStack } from '@manga-assist/local-stack';
import { localWebhookSecrets } from './webhook-secrets';
import { devConfigSchema } from './dev-config';
import type { DevConfig } from './dev-config';

const ROOT = path.resolve(__dirname, '../..');
const APPS: { app: AppName; portVar: keyof DevConfig }[] = [
  { app: 'chat-gateway', portVar: 'GATEWAY_PORT' },
  { app: 'prefetch-scheduler', portVar: 'SCHEDULER_PORT' },
  { app: 'post-processor', portVar: 'POST_PROCESSOR_PORT' },
  { app: 'health-checker', portVar: 'HEALTH_CHECKER_PORT' },
];

const say = (line: string) => process.stdout.write(`${line}\n`);
const fail = (line: string): never => {
  process.stderr.write(`npm start: ${line}\n`);
  process.exit(1);
};

function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function controlToken(config: DevConfig): string {
  if (config.CONTROL_TOKEN) return config.CONTROL_TOKEN;
  const file = path.join(config.DATA_DIR, 'control-token');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('hex');
  fs.mkdirSync(config.DATA_DIR, { recursive: true });
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'npx',
      // The four apps and the web pages the gateway serves at / and /ops.
      ['nx', 'run-many', '-t', 'build', '-p', [...APPS.map((a) => a.app), 'web'].join(','), '--outputStyle=static'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build failed:\n${output}`))));
  });
}

function pipeLogs(app: AppName, child: ChildProcess, format: DevConfig['LOG_FORMAT']) {
  const pretty = prettyFactory({
    colorize: process.stdout.isTTY,
    ignore: 'pid,hostname,app,name',
    translateTime: 'HH:MM:ss',
    singleLine: true,
  });
  const tag = app.padEnd(18);
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    readline.createInterface({ input: stream }).on('line', (line) => {
      if (format === 'json') return say(line);
      let text = line;
      if (line.startsWith('{')) {
        try {
          text = pretty(JSON.parse(line)).trimEnd();
        } catch {
          // not a log line; shown as is
        }
      }
      say(`${tag} ${text}`);
    });
  }
}

async function waitUntilReady(urls: Map<AppName, string>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const reasons = new Map<AppName, string>();
  for (;;) {
    const states = await Promise.all(
      [...urls].map(async ([app, url]) => {
        try {
          const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
          const body = (await res.json()) as { reason?: string | null };
          if (res.status !== 200) reasons.set(app, body.reason ?? `HTTP ${res.status}`);
          return res.status === 200;
        } catch (error) {
          reasons.set(app, `not answering (${(error as Error).message})`);
          return false;
        }
      }),
    );
    if (states.every(Boolean)) return { ready: true as const };
    if (Date.now() > deadline) return { ready: false as const, reasons };
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main() {
  const startedAt = performance.now();
  let config: DevConfig;
  try {
    config = loadConfig(devConfigSchema);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  config.DATA_DIR = path.resolve(ROOT, config.DATA_DIR);

  for (const { app, portVar } of APPS) {
    const port = config[portVar] as number;
    if (await portInUse(config.HOST, port)) {
      fail(`port ${port} (${portVar}, for ${app}) is already in use: stop what holds it or set ${portVar}`);
    }
  }

  const line = (level: string) => (fields: object, msg?: string) => {
    const detail = Object.entries(fields)
      .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    say(`${'local-stack'.padEnd(18)} ${level}${msg ?? ''}${detail ? ` (${detail})` : ''}`);
  };
  const logger = { info: line(''), warn: line('WARN: '), error: line('ERROR: ') };
  const [stack] = await Promise.all([
    startLocalStack({
      dataDir: config.DATA_DIR,
      dynamoPort: config.DYNAMODB_PORT,
      kinesisPort: config.KINESIS_PORT,
      s3Port: config.S3_PORT,
      redisUrl: config.REDIS_URL,
      tablePrefix: config.TABLE_PREFIX,
      log: logger,
    }),
    config.SKIP_BUILD === 'true' ? Promise.resolve() : build(),
    // Built once here (tens of seconds on a fresh clone), so the apps only load it.
    loadRetrieval({ indexDir: path.join(config.DATA_DIR, 'index'), log: logger }).then(() => undefined),
  ]).catch((error: Error) => fail(error.message));

  const children = new Map<AppName, ChildProcess>();
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(killer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await stack.stop();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const token = controlToken(config);
  // The local issuer signs the tokens of `npm run token` and the chat page; the gateway verifies them.
  const authDir = path.join(config.DATA_DIR, 'auth');
  if (config.AUTH_MODE === 'local') await ensureLocalIssuerKeys(authDir);
  const webhooks = localWebhookSecrets(config);
  const baseUrl = (portVar: keyof DevConfig) => `http://${config.HOST}:${config[portVar] as number}`;
  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    HOST: config.HOST,
    REDIS_URL: stack.redisUrl,
    DYNAMODB_ENDPOINT: stack.dynamoEndpoint,
    KINESIS_ENDPOINT: stack.kinesisEndpoint,
    S3_ENDPOINT: stack.s3Endpoint,
    EXPORT_BUCKET: stack.exportBucket,
    TABLE_PREFIX: config.TABLE_PREFIX,
    INDEX_DIR: path.join(config.DATA_DIR, 'index'),
    CONTROL_TOKEN: token,
    AUTH_MODE: config.AUTH_MODE,
    AUTH_LOCAL_KEY_DIR: authDir,
    ...webhooks.secrets,
    GATEWAY_PORT: String(config.GATEWAY_PORT),
    SCHEDULER_PORT: String(config.SCHEDULER_PORT),
    POST_PROCESSOR_PORT: String(config.POST_PROCESSOR_PORT),
    HEALTH_CHECKER_PORT: String(config.HEALTH_CHECKER_PORT),
    SCHEDULER_URL: baseUrl('SCHEDULER_PORT'),
    POST_PROCESSOR_URL: baseUrl('POST_PROCESSOR_PORT'),
    HEALTH_CHECKER_URL: baseUrl('HEALTH_CHECKER_PORT'),
  };
  const urls = new Map<AppName, string>();
  for (const { app, portVar } of APPS) {
    const child = spawn(process.execPath, ['--enable-source-maps', path.join(ROOT, 'dist/apps', app, 'main.js')], {
      cwd: ROOT,
      env: appEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.set(app, child);
    urls.set(app, baseUrl(portVar));
    pipeLogs(app, child, config.LOG_FORMAT);
    child.on('exit', (code, signal) => {
      if (stopping) return;
      say(`${app} exited (${signal ?? `code ${code}`}); stopping the rest`);
      void stopAll(1);
    });
  }

  let result = await waitUntilReady(urls, config.START_TIMEOUT_MS);
  while (!result.ready) {
    say(`not ready after ${Math.round(config.START_TIMEOUT_MS / 1000)} s:`);
    for (const [app, reason] of result.reasons) say(`  ${app}: ${reason}`);
    result = await waitUntilReady(urls, config.START_TIMEOUT_MS);
  }

  const gateway = baseUrl('GATEWAY_PORT');
  const ops = (await (await fetch(`${gateway}/v1/ops/status`, { headers: { authorization: `Bearer ${token}` } })).json()) as OpsStatus;
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const lines = [
    '',
    `MangaAssist edge is ready (${seconds} s)`,
    ...ops.apps.map((a) => `  ${a.app.padEnd(22)}${a.url.padEnd(26)}${a.status?.ready ? 'ready' : `NOT READY: ${a.status?.reason ?? a.error}`}`),
    `  ${'chat (WebSocket)'.padEnd(22)}${gateway.replace('http', 'ws')}/ws`,
    `  ${'chat (HTTP)'.padEnd(22)}POST ${gateway}/v1/chat`,
    `  ${'chat (OpenAI API)'.padEnd(22)}${gateway}/v1`,
    `  ${'chat page'.padEnd(22)}${gateway}/`,
    `  ${'ops page'.padEnd(22)}${gateway}/ops   (sign in with the control token)`,
    `  ${'ops status'.padEnd(22)}${gateway}/v1/ops/status`,
    `  ${'webhooks'.padEnd(22)}POST ${gateway}/v1/webhooks/{catalog,payments,reviews}`,
    `  ${'catalog'.padEnd(22)}GET ${gateway}/v1/catalog/search?q=…, POST ${gateway}/v1/catalog/export`,
    `  ${'long analyses'.padEnd(22)}POST ${gateway}/v1/analyze   (202, then GET the Operation-Location)`,
    `  ${'webhook secrets'.padEnd(22)}${path.relative(ROOT, webhooks.file)} (variables set in the environment take precedence)`,
    `  ${'redis'.padEnd(22)}${stack.redisUrl}`,
    `  ${'dynamodb (dynalite)'.padEnd(22)}${stack.dynamoEndpoint}`,
    `  ${'kinesis (kinesalite)'.padEnd(22)}${stack.kinesisEndpoint}`,
    `  ${'s3 (s3rver)'.padEnd(22)}${stack.s3Endpoint}   (bucket ${stack.exportBucket})`,
    ...(config.AUTH_MODE === 'local' ? [`  ${'user token'.padEnd(22)}npm run -s token -- <userId>   (or POST ${gateway}/v1/auth/local-token)`] : []),
    `  ${'control token'.padEnd(22)}${config.CONTROL_TOKEN ? 'from CONTROL_TOKEN' : path.relative(ROOT, path.join(config.DATA_DIR, 'control-token'))}`,
    'Press Ctrl-C to stop.',
    '',
  ];
  say(lines.join('\n'));
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
