/** The slice of a pino logger this lib needs; callers inject theirs. */
export interface RetrievalLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}
