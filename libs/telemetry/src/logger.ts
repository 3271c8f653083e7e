import pino from 'pino';
import type { Logger, LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  app: string;
  level?: LevelWithSilent;
  /** Where to write; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

/** JSON logs, one line per event, with the app's name on every line. */
export function createLogger({ app, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      name: app,
      level,
      base: { app, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ sync: false }),
  );
}
