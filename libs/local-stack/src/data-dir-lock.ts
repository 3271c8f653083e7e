import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * Claims `dataDir` for this process. Two engines on one LevelDB directory do not fail at start:
 * the second one crashes its whole process on the first request. A pid file turns that into a
 * clear error up front; a file left by a process that no longer runs is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = path.join(dataDir, 'stack.pid');
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
        throw new Error(
          `${path.resolve(dataDir)} is in use by process ${holder}${holder === process.pid ? ' (this one)' : ''}: stop that stack or choose another data directory`,
        );
      }
      await unlink(file).catch(() => undefined);
    }
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      const holder = (await readFile(file, 'utf8').catch(() => '')).trim();
      if (holder === String(process.pid)) await unlink(file).catch(() => undefined);
    },
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
