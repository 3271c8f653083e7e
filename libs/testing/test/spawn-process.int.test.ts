import { spawnProcess } from '../src';

describe('spawnProcess', () => {
  it('collects output, waits for a line and stops the whole process group', async () => {
    // The parent shell starts a grandchild; stop() must take both down.
    const proc = spawnProcess('sh', ['-c', 'echo "ready on $MARK" >&2; sleep 30 & wait'], { env: { MARK: 'port 1234' } });
    const match = await proc.waitForOutput(/ready on port (\d+)/, 5000);
    expect(match[1]).toBe('1234');
    const exit = await proc.stop('SIGTERM');
    expect(exit.signal).toBe('SIGTERM');
    expect(proc.output()).toContain('ready on port 1234');
  });

  it('rejects quoting the output when the process exits before the line appears', async () => {
    const proc = spawnProcess('sh', ['-c', 'echo boom; exit 3']);
    await expect(proc.waitForOutput(/never/, 5000)).rejects.toThrow(/exited \(code 3\).*\n.*boom/s);
    expect((await proc.exited).code).toBe(3);
  });

  it('rejects on timeout and escalates to SIGKILL when SIGTERM is ignored', async () => {
    const proc = spawnProcess('sh', ['-c', 'trap "" TERM; echo started; while true; do sleep 0.1; done']);
    await proc.waitForOutput(/started/);
    await expect(proc.waitForOutput(/never/, 200)).rejects.toThrow(/did not print \/never\/ within 200 ms/);
    const exit = await proc.stop('SIGTERM', { killAfterMs: 300 });
    expect(exit.signal).toBe('SIGKILL');
  });
});
