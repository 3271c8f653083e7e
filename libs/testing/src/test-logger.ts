export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

/** A pino-compatible logger that records entries, so tests can assert on what was logged. */
export interface TestLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  entries: LogEntry[];
  /** Messages only, in order. */
  messages(): string[];
}

export function createTestLogger(): TestLogger {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj, msg });
    };
  return {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    entries,
    messages: () => entries.map((e) => e.msg ?? ''),
  };
}
