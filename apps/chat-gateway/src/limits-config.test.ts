import { loadConfig } from '@manga-assist/config';
import { gatewayConfigSchema } from './config';

const CONTROL_TOKEN = 'control-token-for-tests-0123456789';
const load = (env: Record<string, string>) => loadConfig(gatewayConfigSchema, { CONTROL_TOKEN, ...env });

describe('fair limits configuration', () => {
  it('has limits a store can run a flash sale with by default, and no extra Origins', () => {
    expect(load({})).toMatchObject({
      LIMIT_MESSAGES: 30,
      LIMIT_MESSAGES_WINDOW_S: 60,
      LIMIT_ANALYSES_PER_HOUR: 20,
      LIMIT_CONNECTIONS_PER_USER: 10,
      LIMIT_CONNECTIONS_PER_IP: 300,
      LIMIT_NEW_CONNECTIONS_PER_IP_PER_SECOND: 30,
      LIMIT_WEBHOOKS_PER_SOURCE_PER_SECOND: 200,
      LIMIT_CONNECTION_LEASE_S: 30,
      ALLOWED_ORIGINS: [],
      TRUST_PROXY_HOPS: 0,
    });
  });

  it.each([
    ['LIMIT_MESSAGES', '-5', 'LIMIT_MESSAGES must be a whole number from 1 to 100000 (got "-5")'],
    ['LIMIT_MESSAGES', '0', 'LIMIT_MESSAGES must be a whole number from 1 to 100000 (got "0")'],
    ['LIMIT_CONNECTIONS_PER_IP', '99999999999999999999', 'LIMIT_CONNECTIONS_PER_IP must be a whole number from 1 to 1000000'],
    ['LIMIT_CONNECTIONS_PER_USER', '2.5', 'LIMIT_CONNECTIONS_PER_USER must be a whole number from 1 to 100000 (got "2.5")'],
    ['LIMIT_NEW_CONNECTIONS_PER_IP_PER_SECOND', 'lots', 'LIMIT_NEW_CONNECTIONS_PER_IP_PER_SECOND must be a whole number'],
    ['LIMIT_WEBHOOKS_PER_SOURCE_PER_SECOND', '1e9', 'LIMIT_WEBHOOKS_PER_SOURCE_PER_SECOND must be a whole number'],
    ['LIMIT_CONNECTION_LEASE_S', '1', 'LIMIT_CONNECTION_LEASE_S must be a whole number from 3 to 3600 (got "1")'],
    ['LIMIT_MESSAGES_WINDOW_S', '100000000', 'LIMIT_MESSAGES_WINDOW_S must be a whole number from 1 to 86400'],
    ['TRUST_PROXY_HOPS', '-1', 'TRUST_PROXY_HOPS must be a whole number from 0 to 10 (got "-1")'],
    ['ALLOWED_ORIGINS', 'https://shop.example.jp/path', 'ALLOWED_ORIGINS must be a comma-separated list of origins such as https://shop.example.jp (not an origin: https://shop.example.jp/path)'],
    ['ALLOWED_ORIGINS', 'shop.example.jp', 'not an origin: shop.example.jp'],
  ])('stops at start on %s=%s, naming the variable', (name, value, message) => {
    expect(() => load({ [name]: value })).toThrow(message);
  });

  it('reads a list of Origins, and the admin group and its claims', () => {
    expect(load({ ALLOWED_ORIGINS: 'https://shop.example.jp, https://m.shop.example.jp:8443' }).ALLOWED_ORIGINS).toEqual(['https://shop.example.jp', 'https://m.shop.example.jp:8443']);
    expect(load({})).toMatchObject({ AUTH_ADMIN_CLAIMS: ['groups', 'cognito:groups'], AUTH_ADMIN_GROUP: 'admin' });
    expect(load({ AUTH_ADMIN_CLAIMS: 'roles', AUTH_ADMIN_GROUP: 'store-ops' })).toMatchObject({ AUTH_ADMIN_CLAIMS: ['roles'], AUTH_ADMIN_GROUP: 'store-ops' });
    expect(() => load({ AUTH_ADMIN_CLAIMS: ' , ' })).toThrow(/AUTH_ADMIN_CLAIMS must name at least one claim/);
    expect(() => load({ AUTH_ADMIN_GROUP: 'has space' })).toThrow(/AUTH_ADMIN_GROUP must be a group name/);
  });
});
