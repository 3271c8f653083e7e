// A change to the queue contract (names, payload schemas, settings) reaches every app that hands
// jobs over or drains them: `nx affected` must list them so CI tests them all.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

const affected = (file: string) =>
  execFileSync('npx', ['nx', 'show', 'projects', '--affected', `--files=${file}`], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

describe('nx affected by the queue contract', () => {
  it('lists the gateway, the scheduler and the post-processor, and leaves the health checker out', () => {
    const projects = affected('libs/queue/src/queues.ts');
    expect(projects).toEqual(expect.arrayContaining(['queue', 'chat-gateway', 'prefetch-scheduler', 'post-processor']));
    expect(projects).not.toContain('health-checker');
  }, 120_000);
});
