import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface SpawnProcessOptions {
  /** Added to this process's environment (PATH and friends are inherited). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Output kept for output() and error messages; older text is dropped. */
  maxOutputChars?: number;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopOptions {
  /** After this long the process group gets SIGKILL. */
  killAfterMs?: number;
}

export interface SpawnedProcess {
  child: ChildProcess;
  /** stdout and stderr interleaved as they arrived. */
  output(): string;
  /** Resolves with the match once the output matches; rejects on timeout or exit, quoting the output. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited. */
  exited: Promise<ProcessExit>;
  /** Signals the process group (so wrappers such as tsx or npm take their children along) and waits for exit. */
  stop(signal?: NodeJS.Signals, options?: StopOptions): Promise<ProcessExit>;
}

/** Runs a real child process for integration tests of apps and tools. */
export function spawnProcess(command: string, args: readonly string[], options: SpawnProcessOptions = {}): SpawnedProcess {
  const maxOutputChars = options.maxOutputChars ?? 1_000_000;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stop() reaches grandchildren too.
    detached: true,
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > maxOutputChars) output = output.slice(output.length - maxOutputChars);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);

  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('error', (error) => {
      output += `\n[spawn error] ${error.message}\n`;
      exit = { code: null, signal: null };
      resolve(exit);
      for (const listener of listeners) listener();
    });
    child.once('close', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      for (const listener of listeners) listener();
    });
  });

  const tail = (): string => output.slice(-4000);

  const waitForOutput = (pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      const check = (): void => {
        const match = output.match(pattern);
        if (match) {
          finish();
          resolve(match);
        } else if (exit) {
          finish();
          reject(new Error(`${command} exited (${describeExit(exit)}) before printing ${pattern}; output:\n${tail()}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${command} did not print ${pattern} within ${timeoutMs} ms; output:\n${tail()}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', { killAfterMs = 5000 }: StopOptions = {}): Promise<ProcessExit> => {
    if (exit) return exit;
    signalGroup(child, signal);
    const killer = setTimeout(() => signalGroup(child, 'SIGKILL'), killAfterMs);
    try {
      return await exited;
    } finally {
      clearTimeout(killer);
    }
  };

  return { child, output: () => output, waitForOutput, exited, stop };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function describeExit({ code, signal }: ProcessExit): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}
