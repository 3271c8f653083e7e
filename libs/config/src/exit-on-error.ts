import type { z } from 'zod';
import { ConfigError, loadConfig } from './load-config';

/**
 * For an app's main.ts: load the config or stop the process at start with one line on stderr
 * naming each bad variable (exit code 78, EX_CONFIG), before anything is opened.
 */
export function loadConfigOrExit<S extends z.ZodObject>(app: string, schema: S, env = process.env): z.infer<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${app}: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
