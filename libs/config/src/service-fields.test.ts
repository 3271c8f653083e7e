import { z } from 'zod';
import { loadConfig } from './load-config';
import { awsShape, resolveAwsEndpoints, serviceShape } from './service-fields';

const schema = z.object({ ...serviceShape, ...awsShape });
const token = 'a-control-token-of-enough-length';

describe('service and AWS settings', () => {
  it('defaults to the local engines', () => {
    const config = loadConfig(schema, { CONTROL_TOKEN: token });
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(resolveAwsEndpoints(config)).toEqual({
      dynamodb: 'http://127.0.0.1:8000',
      kinesis: 'http://127.0.0.1:4568',
    });
  });

  it('uses the regional endpoints when the local stack is off', () => {
    const config = loadConfig(schema, { CONTROL_TOKEN: token, LOCAL_STACK: 'false' });
    expect(resolveAwsEndpoints(config)).toEqual({ dynamodb: undefined, kinesis: undefined });
  });

  it('rejects a Redis URL that is not one, naming REDIS_URL', () => {
    expect(() => loadConfig(schema, { CONTROL_TOKEN: token, REDIS_URL: 'http://x' })).toThrow(/REDIS_URL must be a redis/);
  });

  it('rejects a table prefix that DynamoDB would refuse', () => {
    expect(() => loadConfig(schema, { CONTROL_TOKEN: token, TABLE_PREFIX: 'a b' })).toThrow(/TABLE_PREFIX may contain only/);
  });
});
