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

  it('holds 64 MiB of cache entries in memory by default, and stops at start on a bad size', () => {
    expect(loadConfig(gatewayConfigSchema, { CONTROL_TOKEN }).CACHE_LOCAL_MAX_MB).toBe(64);
    expect(loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, CACHE_LOCAL_MAX_MB: '0' }).CACHE_LOCAL_MAX_MB).toBe(0);
    expect(() => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, CACHE_LOCAL_MAX_MB: 'lots' })).toThrow(/CACHE_LOCAL_MAX_MB/);
  });

  it('needs the shared control token', () => {
    expect(() => loadConfig(gatewayConfigSchema, {})).toThrow(/CONTROL_TOKEN is required/);
  });
});
