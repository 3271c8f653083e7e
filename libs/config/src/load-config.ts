import type { z } from 'zod';

/** One variable that failed validation, named as the operator would set it. */
export interface ConfigIssue {
  variable: string;
  message: string;
  received?: string;
}

/** Thrown by loadConfig; its message names every bad variable and what was wrong with it. */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(
      `Invalid configuration: ${issues
        .map((i) => `${i.variable} ${i.message}${i.received !== undefined ? ` (got ${JSON.stringify(i.received)})` : ''}`)
        .join('; ')}`,
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

type Env = Record<string, string | undefined>;

/** Values of these variables are never repeated in an error message. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|CREDENTIAL|_KEY$/;

/**
 * Parses environment variables with a zod object schema whose keys are the variable names.
 * Empty strings count as unset so that `FOO= app` falls back to the default.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  const input: Env = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(config)');
      const received = SECRET_NAME.test(variable) ? undefined : input[variable];
      return { variable, message: issue.message, received };
    }),
  );
}
