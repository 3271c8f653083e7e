import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config';
import { controlToken, flag, httpUrl, nonNegativeInt, port, positiveInt } from './fields';

const schema = z.object({
  GATEWAY_PORT: port(3000),
  SCHEDULER_URL: httpUrl('http://127.0.0.1:3001'),
  WARM_TIMEOUT_MS: positiveInt(5000),
  PRETTY_LOGS: flag(false),
});

describe('loadConfig', () => {
  it('applies defaults when variables are unset or empty', () => {
    expect(loadConfig(schema, { GATEWAY_PORT: '' })).toEqual({
      GATEWAY_PORT: 3000,
      SCHEDULER_URL: 'http://127.0.0.1:3001',
      WARM_TIMEOUT_MS: 5000,
      PRETTY_LOGS: false,
    });
  });

  it('parses given values into their types', () => {
    const config = loadConfig(schema, { GATEWAY_PORT: '8080', PRETTY_LOGS: 'true', WARM_TIMEOUT_MS: '250' });
    expect(config.GATEWAY_PORT).toBe(8080);
    expect(config.PRETTY_LOGS).toBe(true);
    expect(config.WARM_TIMEOUT_MS).toBe(250);
  });

  it('names the variable, what was wrong and what it got', () => {
    expect(() => loadConfig(schema, { GATEWAY_PORT: 'abc' })).toThrow(
      'Invalid configuration: GATEWAY_PORT must be a TCP port number from 1 to 65535 (got "abc")',
    );
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig(schema, { GATEWAY_PORT: '70000', SCHEDULER_URL: 'ftp://x', PRETTY_LOGS: 'yes' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((i) => i.variable).sort()).toEqual([
        'GATEWAY_PORT',
        'PRETTY_LOGS',
        'SCHEDULER_URL',
      ]);
    }
  });

  it('requires secrets that have no default', () => {
    const secrets = z.object({ CONTROL_TOKEN: controlToken });
    expect(() => loadConfig(secrets, {})).toThrow(/CONTROL_TOKEN is required/);
    expect(() => loadConfig(secrets, { CONTROL_TOKEN: 'short' })).toThrow(/CONTROL_TOKEN must be at least 16/);
    // A secret's value never appears in the message (it ends up in logs).
    expect(() => loadConfig(secrets, { CONTROL_TOKEN: 'short' })).not.toThrow(/short/);
  });

  it('ignores variables the schema does not name', () => {
    expect(loadConfig(z.object({ A: port(1) }), { A: '2', B: 'x' })).toEqual({ A: 2 });
  });
});

describe('nonNegativeInt', () => {
  const delays = z.object({ TOKEN_FLUSH_MS: nonNegativeInt(16) });
  it('takes 0 (switched off) and whole numbers, and names the variable otherwise', () => {
    expect(loadConfig(delays, {}).TOKEN_FLUSH_MS).toBe(16);
    expect(loadConfig(delays, { TOKEN_FLUSH_MS: '0' }).TOKEN_FLUSH_MS).toBe(0);
    expect(() => loadConfig(delays, { TOKEN_FLUSH_MS: '-1' })).toThrow(/TOKEN_FLUSH_MS must be a whole number, 0 or more/);
  });
});
