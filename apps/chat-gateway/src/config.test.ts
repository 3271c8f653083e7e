import { loadConfig } from '@manga-assist/config';
import { gatewayConfigSchema } from './config';

const CONTROL_TOKEN = 'control-token-for-tests-0123456789';

describe('chat-gateway configuration', () => {
  it('listens on 3000 by default', () => {
    expect(loadConfig(gatewayConfigSchema, { CONTROL_TOKEN }).GATEWAY_PORT).toBe(3000);
  });

  it('stops at start on a bad port, naming GATEWAY_PORT', () => {
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, GATEWAY_PORT: 'abc' })).toThrow(
      'GATEWAY_PORT must be a TCP port number from 1 to 65535 (got "abc")',
    );
  });

  it('needs the shared control token', () => {
    expect(() => loadConfig(gatewayConfigSchema, {})).toThrow(/CONTROL_TOKEN is required/);
  });
});
