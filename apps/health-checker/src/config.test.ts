import { loadConfig } from '@manga-assist/config';
import { healthCheckerConfigSchema } from './config';

const CONTROL_TOKEN = 'control-token-for-tests-0123456789';

describe('health-checker configuration', () => {
  it('listens on 3003 by default', () => {
    expect(loadConfig(healthCheckerConfigSchema, { CONTROL_TOKEN }).HEALTH_CHECKER_PORT).toBe(3003);
  });

  it('stops at start on a bad port, naming HEALTH_CHECKER_PORT', () => {
    expect(() => loadConfig(healthCheckerConfigSchema, { CONTROL_TOKEN, HEALTH_CHECKER_PORT: 'abc' })).toThrow(
      'HEALTH_CHECKER_PORT must be a TCP port number from 1 to 65535 (got "abc")',
    );
  });

  it('needs the shared control token', () => {
    expect(() => loadConfig(healthCheckerConfigSchema, {})).toThrow(/CONTROL_TOKEN is required/);
  });
});
