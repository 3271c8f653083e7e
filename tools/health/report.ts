// `npm run health:report`: one probe round against the configured endpoints (the same variables as
// the health checker), printed like the seeds' checker; exits 1 when an endpoint is unhealthy so a
// deploy pipeline can gate on it. `--from URL` prints a running health checker's latest report instead.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig, redisUrl } from '@manga-assist/config';
import type { HealthReport } from '@manga-assist/contracts';
import {
  checkEndpointSettings,
  createHostResolver,
  createProbeRunner,
  endpointsFromSettings,
  formatReport,
  probeSettingsShape,
  resolverFromSettings,
} from '@manga-assist/probes';
import { createServiceClient } from '@manga-assist/rpc';
import type { HealthCheckerRouter } from '@manga-assist/rpc';

const USAGE = `usage: npm run health:report -- [--json] [--fail-on unhealthy|degraded] [--from http://health-checker:3003]
  --json      print the report as JSON instead of text
  --fail-on   exit 1 when any endpoint is this bad or worse (default: unhealthy)
  --from      read the latest report of a running health checker instead of probing from here
Endpoints and limits come from the health checker's variables (HEALTH_MODE, AWS_REGION, HEALTH_ENDPOINTS, ...).`;

const settingsSchema = z
  .object({ ...probeSettingsShape, REDIS_URL: redisUrl().default('redis://127.0.0.1:6379') })
  .superRefine(checkEndpointSettings);

const say = (text: string) => process.stdout.write(text);
const stop = (code: number, message: string): never => {
  process.stderr.write(`health:report: ${message}\n`);
  process.exit(code);
};

async function probeFromHere(): Promise<HealthReport> {
  let settings: z.infer<typeof settingsSchema>;
  try {
    settings = loadConfig(settingsSchema);
  } catch (error) {
    return stop(2, error instanceof ConfigError ? error.message : String(error));
  }
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const runner = createProbeRunner({
    endpoints: endpointsFromSettings(settings),
    resolver: createHostResolver(resolverFromSettings(settings)),
    mode: settings.HEALTH_MODE,
    region: settings.HEALTH_MODE === 'aws' ? settings.AWS_REGION : null,
    az: settings.HEALTH_AZ ?? null,
    intervalMs: settings.PROBE_INTERVAL_MS,
    timeoutMs: settings.PROBE_TIMEOUT_MS,
    certWarnDays: settings.CERT_WARN_DAYS,
    historySize: 1,
    log: quiet,
  });
  try {
    return await runner.runOnce();
  } finally {
    await runner.stop();
  }
}

async function fromRunningChecker(baseUrl: string): Promise<HealthReport> {
  const client = createServiceClient<HealthCheckerRouter>({ baseUrl, timeoutMs: 5000 });
  let report: HealthReport | null;
  try {
    report = await client.report.query();
  } catch (error) {
    return stop(2, `no answer from the health checker at ${baseUrl}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return report ?? stop(2, `the health checker at ${baseUrl} has not finished its first probe round yet`);
}

async function main() {
  let values: { json?: boolean; 'fail-on'?: string; from?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { json: { type: 'boolean' }, 'fail-on': { type: 'string' }, from: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    return stop(2, `${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help) return say(`${USAGE}\n`);
  const failOn = values['fail-on'] ?? 'unhealthy';
  if (failOn !== 'unhealthy' && failOn !== 'degraded') return stop(2, `--fail-on must be unhealthy or degraded\n${USAGE}`);

  const report = values.from ? await fromRunningChecker(values.from) : await probeFromHere();
  say(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  const failing = report.status === 'unhealthy' || (failOn === 'degraded' && report.status === 'degraded');
  process.exitCode = failing ? 1 : 0;
}

main().catch((error: unknown) => stop(2, error instanceof Error ? (error.stack ?? error.message) : String(error)));
