// `npm run image:test`: builds the image with podman on a local base (no registry here) and runs
// each of its four shapes against the local stack (Redis, dynalite, kinesalite): /readyz 200 from
// every container, the image's HEALTHCHECK passing, a chat answered through the containerized
// gateway, and SIGTERM stopping each container cleanly (exit 0, well before podman's SIGKILL).
// BASE_IMAGE=<image> skips making the local base (tools/container/make-base.sh).
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestSystem } from '@manga-assist/local-stack';
import { waitFor } from '@manga-assist/testing';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const IMAGE = process.env['IMAGE'] ?? 'localhost/manga-assist:test';
const LOCAL_BASE = 'localhost/manga-assist-base:bookworm-node20';
const APPS = ['chat-gateway', 'prefetch-scheduler', 'post-processor', 'health-checker'] as const;
const PORT_VARIABLE = { 'chat-gateway': 'GATEWAY_PORT', 'prefetch-scheduler': 'SCHEDULER_PORT', 'post-processor': 'POST_PROCESSOR_PORT', 'health-checker': 'HEALTH_CHECKER_PORT' };
const STOP_GRACE_S = 20;
// crun refuses hosts whose cgroups are in hybrid mode (v1 controllers plus a cgroup2 mount), as on
// these machines; runc accepts them. Limits podman would otherwise raise past what the host allows.
const RUNTIME = process.env['PODMAN_RUNTIME'] ?? (fs.existsSync('/usr/sbin/runc') ? 'runc' : undefined);
const CONTAINER_FLAGS = [...(RUNTIME ? ['--runtime', RUNTIME] : []), '--ulimit', 'nofile=8192:8192', '--ulimit', 'nproc=4096:4096'];

const podman = async (args: string[], options: { quiet?: boolean } = {}) => {
  const child = run('podman', args, { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
  if (!options.quiet) child.child.stdout?.pipe(process.stdout);
  if (!options.quiet) child.child.stderr?.pipe(process.stderr);
  return (await child).stdout.trim();
};
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);
const step = (text: string) => process.stdout.write(`\nimage:test: ${text}\n`);

async function main() {
  const timings: [string, string][] = [];
  let started = performance.now();
  let base = process.env['BASE_IMAGE'];
  if (!base) {
    base = LOCAL_BASE;
    const exists = await run('podman', ['image', 'exists', base]).then(() => true, () => false);
    if (!exists) {
      step(`making the local base ${base} (debootstrap + this machine's node)`);
      await run(path.join(__dirname, 'make-base.sh'), [base], { maxBuffer: 64 * 1024 * 1024 });
      timings.push(['local base image', `${seconds(started)} s`]);
    }
  }

  step(`building ${IMAGE} on ${base}`);
  started = performance.now();
  // Host network: the build reaches the npm registry and the Debian mirror the way this machine does.
  // Docker format: the OCI image format has no HEALTHCHECK, and podman would drop it.
  await podman(['build', ...CONTAINER_FLAGS, '--format', 'docker', '--network', 'host', '--build-arg', `BASE_IMAGE=${base}`, '-t', IMAGE, '-f', 'Dockerfile', '.']);
  timings.push(['image build', `${seconds(started)} s`]);
  const size = Number(await podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE], { quiet: true }));
  const user = await podman(['image', 'inspect', '--format', '{{.Config.User}}', IMAGE], { quiet: true });
  assert.notEqual(user, '', 'the image must not run as root');
  assert.notEqual(user.split(':')[0], '0', 'the image must not run as root');

  step('starting the local stack and the four shapes');
  const system = await startTestSystem({ apps: [] });
  const nameOf = (app: string) => `manga-assist-${app}-${process.pid}`;
  const names: string[] = [];
  try {
    started = performance.now();
    for (const app of APPS) {
      names.push(nameOf(app));
      const env = { ...system.env, APP: app, HOST: '127.0.0.1', LOG_LEVEL: 'info' };
      delete (env as Record<string, string>)['INDEX_DIR']; // the image's own, baked in
      await podman(['run', ...CONTAINER_FLAGS, '-d', '--name', nameOf(app), '--network', 'host', ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), IMAGE], { quiet: true });
    }
    const url = (app: (typeof APPS)[number]) => `http://127.0.0.1:${system.env[PORT_VARIABLE[app]]}`;
    for (const app of APPS) {
      await waitFor(async () => (await fetch(`${url(app)}/readyz`).catch(() => null))?.status === 200, {
        timeoutMs: 60_000,
        intervalMs: 200,
        description: `${app} ready in its container`,
      }).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await podman(['logs', '--tail', '40', nameOf(app)], { quiet: true }).catch(() => '')}`);
      });
      process.stdout.write(`  ${app}: /readyz 200\n`);
    }
    timings.push(['four containers ready', `${seconds(started)} s`]);

    for (const app of APPS) {
      await podman(['healthcheck', 'run', nameOf(app)], { quiet: true });
      process.stdout.write(`  ${app}: HEALTHCHECK passes\n`);
    }

    started = performance.now();
    // Signed in as under npm start: a token from the gateway's local issuer.
    const signIn = await fetch(`${url('chat-gateway')}/v1/auth/local-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'image-test' }) });
    const { access_token: token } = (await signIn.json()) as { access_token: string };
    const response = await fetch(`${url('chat-gateway')}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: '今週の人気マンガは？' }),
    });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { text: string; done: unknown };
    assert.ok(answer.text.length > 20, `a real answer, got ${JSON.stringify(answer.text)}`);
    process.stdout.write(`  chat through the containerized gateway (${seconds(started)} s): ${answer.text.slice(0, 80)}…\n`);

    for (const app of APPS) {
      const stopping = performance.now();
      await podman(['stop', '-t', String(STOP_GRACE_S), nameOf(app)], { quiet: true });
      const took = (performance.now() - stopping) / 1000;
      const exitCode = await podman(['inspect', '--format', '{{.State.ExitCode}}', nameOf(app)], { quiet: true });
      const logs = await podman(['logs', '--tail', '5', nameOf(app)], { quiet: true });
      assert.equal(exitCode, '0', `${app} exited ${exitCode} on SIGTERM:\n${logs}`);
      assert.ok(took < STOP_GRACE_S - 1, `${app} took ${took.toFixed(1)} s to stop: SIGTERM did not reach node`);
      process.stdout.write(`  ${app}: SIGTERM → exit 0 in ${took.toFixed(1)} s\n`);
      timings.push([`${app} stop`, `${took.toFixed(1)} s`]);
    }
  } finally {
    for (const name of names) await run('podman', ['rm', '-f', name]).catch(() => undefined);
    await system.stop();
  }

  step('done');
  timings.push(['image size', `${(size / 1e6).toFixed(0)} MB`]);
  for (const [what, value] of timings) process.stdout.write(`  ${what.padEnd(28)} ${value}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`image:test: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
