import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';

/** The full path of `command` as a shell would find it on `searchPath`, or undefined. */
export async function findExecutable(command: string, searchPath = process.env.PATH ?? ''): Promise<string | undefined> {
  const candidates = command.includes(path.sep)
    ? [command]
    : searchPath
        .split(path.delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => path.join(dir, command));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next directory.
    }
  }
  return undefined;
}
