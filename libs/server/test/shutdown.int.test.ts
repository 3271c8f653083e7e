// SIGTERM runs the shutdown steps in order, each at most its time: a step that never finishes is
// logged as failed and given up on, the steps after it still run, and the exit code says so.
import path from 'node:path';
import { spawnProcess, waitFor } from '@manga-assist/testing';

jest.setTimeout(30_000);

const ROOT = path.resolve(__dirname, '../../..');

async function shutDown(...steps: string[]) {
  // tsx as a loader of node itself: the tsx wrapper would re-raise the signal and hide the exit code.
  const child = spawnProcess(process.execPath, ['--import', 'tsx', 'libs/server/test/fixtures/shutdown-child.ts', ...steps], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tools/tsconfig.json' },
  });
  await waitFor(() => child.output().includes('ready'), { timeoutMs: 20_000, description: 'child ready' });
  const exit = await child.stop('SIGTERM');
  const lines = child
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { time: string; msg: string; step?: string; err?: { message: string } })
    // In the order they were logged (error lines may reach the pipe after later info lines).
    .sort((a, b) => a.time.localeCompare(b.time));
  return { exit, lines };
}

describe('installShutdown', () => {
  it('gives up on a step that takes too long, runs the rest, and exits with 1', async () => {
    const { exit, lines } = await shutDown('hang', 'ok');
    expect(exit.code).toBe(1);
    const failed = lines.find((l) => l.msg === 'shutdown step hang-0 failed');
    expect(failed?.err?.message).toBe('took longer than 300 ms');
    expect(lines.map((l) => l.msg).sort()).toEqual(['shutdown step hang-0 failed', 'shutting down', 'step 1 ran', 'stopped']);
    // The step after the one given up on ran once the time was up, not before.
    const ran = lines.find((l) => l.msg === 'step 1 ran');
    expect(failed!.time <= ran!.time).toBe(true);
  });

  it('exits with 0 once every step has finished', async () => {
    const { exit, lines } = await shutDown('ok', 'ok');
    expect(exit.code).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(['shutting down', 'step 0 ran', 'step 1 ran', 'stopped']);
  });
});
